using System.Text.Json;

namespace Hangar.Agent.Connection;

/// <summary>
/// What an agent keeps after it joined: the control plane it joined, the name it was given and its credential, in
/// <c>agent/credential.json</c> under its home (0600, in a 0700 directory). With it the agent needs no join token again.
/// </summary>
public sealed record AgentCredential(string Server, string Name, string Credential)
{
    /// <summary>The control plane's certificate pinned at join (<c>sha256:…</c>), checked at every connection; null when
    /// the agent trusts the system's certificate authorities (or joined over plain HTTP).</summary>
    public string? ServerFingerprint { get; init; }

    /// <summary>Every replica of the control plane to connect to, in turn (<c>--server A,B</c>); null for <see cref="Server"/> alone.</summary>
    public IReadOnlyList<string>? Servers { get; init; }

    public static string PathFor(string home) => Path.Combine(home, "agent", "credential.json");

    public static AgentCredential? TryRead(string home)
    {
        var path = PathFor(home);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CredentialJsonContext.Default.AgentCredential);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not an agent credential file ({e.Message}); delete it and join again with a new token.", e);
        }
    }

    /// <summary>Writes the file with its final mode from the first byte (a temporary file, renamed).</summary>
    public void Write(string home)
    {
        var path = PathFor(home);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, this, CredentialJsonContext.Default.AgentCredential);
        }
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
