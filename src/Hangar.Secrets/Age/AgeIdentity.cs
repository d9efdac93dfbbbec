namespace Hangar.Secrets.Age;

/// <summary>
/// A key that opens age files: an age X25519 secret key (<c>AGE-SECRET-KEY-1…</c>) or an unprotected OpenSSH Ed25519
/// private key (a host's <c>ssh_host_ed25519_key</c>, a user's <c>id_ed25519</c>).
/// </summary>
public abstract class AgeIdentity
{
    private protected AgeIdentity() { }

    /// <summary>The recipient files are encrypted to for this identity to open them.</summary>
    public abstract AgeRecipient Recipient { get; }

    /// <summary>The file key from the stanza meant for this identity; null when none is.</summary>
    internal abstract byte[]? Unwrap(IReadOnlyList<AgeStanza> stanzas);

    /// <summary>
    /// The identities in an identity file: age secret keys, one per line (blank lines and <c>#</c> comments allowed), or
    /// one OpenSSH private key. <paramref name="source"/> names the file in errors.
    /// </summary>
    public static IReadOnlyList<AgeIdentity> ParseFile(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.TrimStart().StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----", StringComparison.Ordinal))
            return [SshEd25519Identity.ParsePem(text, source)];
        if (text.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal))
            throw new AgeException($"{source}: only OpenSSH-format private keys are read (ssh-keygen -p -o converts an old PEM key)");
        var identities = new List<AgeIdentity>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            try { identities.Add(X25519Identity.Parse(line)); }
            catch (AgeException e) { throw new AgeException($"{source}:{i + 1}: {e.Message}", e); }
        }
        if (identities.Count == 0) throw new AgeException($"{source}: no identity in it (expected AGE-SECRET-KEY-1… lines or an OpenSSH private key)");
        return identities;
    }
}
