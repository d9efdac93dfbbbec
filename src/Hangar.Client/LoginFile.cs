using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Client;

/// <summary>
/// What <c>hangar login</c> keeps for the user: the server, the API token and the pinned certificate fingerprint, in
/// <c>$XDG_CONFIG_HOME/hangar/login.json</c> (else <c>~/.config/hangar/login.json</c>), 0600 in a 0700 directory.
/// <c>hangar logout</c> deletes it.
/// </summary>
public sealed record LoginFile(string Server, string Token, string? Fingerprint)
{
    public static string DefaultPath() => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"), "hangar", "login.json");

    /// <exception cref="InvalidOperationException">The file exists but is not a login file.</exception>
    public static LoginFile? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LoginFileJson.Default.LoginFile);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{path} is not a Hangar login file ({e.Message}); run `hangar logout` and log in again.", e);
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, PrivateFiles.DirectoryMode);
        PrivateFiles.WriteAllText(path, JsonSerializer.Serialize(this, LoginFileJson.Default.LoginFile));
    }
}

/// <summary>login.json's contract, generated at compile time (the client reads it without reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(LoginFile))]
internal sealed partial class LoginFileJson : JsonSerializerContext;
