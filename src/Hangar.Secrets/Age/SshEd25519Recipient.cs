using System.Security.Cryptography;

namespace Hangar.Secrets.Age;

/// <summary>
/// An SSH Ed25519 public key as an age recipient (<c>ssh-ed25519 AAAA…</c>, as in authorized_keys or a host's
/// <c>ssh_host_ed25519_key.pub</c>): its X25519 form, with age's tweak bound to the key and a 4-byte tag naming it.
/// </summary>
public sealed class SshEd25519Recipient : AgeRecipient
{
    internal const string Label = "age-encryption.org/v1/ssh-ed25519";

    internal SshEd25519Recipient(byte[] wire, byte[] montgomery)
    {
        Wire = wire;
        Montgomery = montgomery;
        Tag = AgeCrypto.Base64(SHA256.HashData(wire).AsSpan(0, 4));
        Text = "ssh-ed25519 " + Convert.ToBase64String(wire);
    }

    /// <summary>The key's wire encoding (what its base64 holds).</summary>
    internal byte[] Wire { get; }

    /// <summary>The key's X25519 form.</summary>
    internal byte[] Montgomery { get; }

    /// <summary>The stanza's first argument: the first 4 bytes of the key's SHA-256, in base64.</summary>
    internal string Tag { get; }

    public override string Text { get; }

    public static new SshEd25519Recipient Parse(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        byte[] wire;
        try { wire = fields.Length >= 2 ? Convert.FromBase64String(fields[1]) : throw new FormatException("no key"); }
        catch (FormatException e) { throw new AgeException($"'{Shorten(text)}': the SSH key is not base64", e); }
        var reader = new SshWire(wire);
        var type = reader.String();
        var key = reader.Bytes(out var ok);
        if (type != "ssh-ed25519" || !ok || key.Length != Curve25519.Size || !reader.AtEnd)
            throw new AgeException($"'{Shorten(text)}' is not a valid ssh-ed25519 public key");
        var montgomery = Curve25519.FromEd25519(key)
            ?? throw new AgeException($"'{Shorten(text)}' is not a point of Ed25519");
        return new SshEd25519Recipient(wire, montgomery);
    }

    /// <summary>age's tweak for this key: X25519 of the shared secret by a scalar derived from the key alone.</summary>
    internal byte[] TweakScalar() => AgeCrypto.Hkdf([], Wire, Label);

    internal override AgeStanza Wrap(ReadOnlySpan<byte> fileKey)
    {
        var ephemeral = RandomNumberGenerator.GetBytes(Curve25519.Size);
        try
        {
            var share = Curve25519.PublicKey(ephemeral);
            var shared = Curve25519.ScalarMult(ephemeral, Montgomery);
            if (AgeCrypto.IsZero(shared)) throw new AgeException($"SSH key {Tag} is a point of small order");
            shared = Curve25519.ScalarMult(TweakScalar(), shared);
            var key = AgeCrypto.Hkdf(shared, [.. share, .. Montgomery], Label);
            return new AgeStanza("ssh-ed25519", [Tag, AgeCrypto.Base64(share)], AgeCrypto.Seal(key, fileKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }
}
