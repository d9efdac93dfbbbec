using Hangar.Secrets.Age;

namespace Hangar.Secrets;

/// <summary>
/// The keys a person opens secrets with, looked for in order: the files given (<c>--identity</c>), the file
/// <c>HANGAR_IDENTITY</c> names, Hangar's own <c>$XDG_CONFIG_HOME/hangar/identity.txt</c> (an age key
/// <c>hangar secret set</c> makes when it finds none) and <c>~/.ssh/id_ed25519</c>, as agenix users have.
/// </summary>
public static class UserIdentities
{
    /// <summary>Hangar's own age identity file of this user.</summary>
    public static string OwnIdentityPath()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } c
            ? c : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "hangar", "identity.txt");
    }

    private static string SshKeyPath() => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "id_ed25519");

    /// <summary>The identity files to read: those given, else the environment's, else the defaults that exist.</summary>
    public static IReadOnlyList<string> Files(IReadOnlyList<string> given)
    {
        if (given.Count > 0) return given;
        if (Environment.GetEnvironmentVariable("HANGAR_IDENTITY") is { Length: > 0 } fromEnvironment) return [fromEnvironment];
        return new[] { OwnIdentityPath(), SshKeyPath() }.Where(File.Exists).ToList();
    }

    /// <summary>
    /// The identities in <see cref="Files"/>. A default file that cannot be used (a passphrase-protected SSH key) is
    /// skipped when another one can; a file given explicitly must be readable.
    /// </summary>
    /// <exception cref="AgeException">No identity at all, or a given file that is wrong.</exception>
    public static IReadOnlyList<AgeIdentity> Load(IReadOnlyList<string> given)
    {
        var files = Files(given);
        var identities = new List<AgeIdentity>();
        var problems = new List<string>();
        foreach (var file in files)
        {
            try { identities.AddRange(AgeIdentity.ParseFile(File.ReadAllText(file), file)); }
            catch (Exception e) when (e is AgeException or IOException or UnauthorizedAccessException)
            {
                if (given.Count > 0) throw e as AgeException ?? new AgeException($"{file}: {e.Message}", e);
                problems.Add(e.Message);
            }
        }
        if (identities.Count > 0) return identities;
        if (problems.Count > 0) throw new AgeException("no usable identity: " + string.Join("; ", problems));
        throw new AgeException($"no identity to open secrets with: give --identity FILE, set HANGAR_IDENTITY, or keep a key in {OwnIdentityPath()} or {SshKeyPath()}");
    }

    /// <summary>The recipient of this user's key, to start a recipients file with: the public half of the first
    /// identity found (or of <c>~/.ssh/id_ed25519.pub</c>); null when the user has none.</summary>
    public static (string Name, AgeRecipient Recipient)? Own()
    {
        try
        {
            if (Load([]) is [var first, ..]) return ($"{Environment.UserName} ({Environment.MachineName})", first.Recipient);
        }
        catch (AgeException)
        {
            // no usable private key; a public SSH key is still a recipient
        }
        var pub = SshKeyPath() + ".pub";
        if (!File.Exists(pub)) return null;
        try { return ($"{Environment.UserName} ({Environment.MachineName})", AgeRecipient.Parse(File.ReadAllText(pub))); }
        catch (AgeException) { return null; }
    }

    /// <summary>Makes this user's own age identity (0600, in a 0700 directory) and returns it.</summary>
    public static X25519Identity Create()
    {
        var path = OwnIdentityPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var identity = X25519Identity.Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write($"# created: {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} by hangar secret\n# public key: {identity.Recipient.Text}\n{identity.SecretText}\n");
        return identity;
    }
}
