using System.Security.Cryptography;

namespace Hangar.Secrets.Age;

/// <summary>
/// An OpenSSH Ed25519 private key as an age identity: X25519 with the scalar from the SHA-512 of its seed (as Ed25519
/// derives its own), the tweak its public key gives. A key protected by a passphrase is refused: nobody is there to type it.
/// </summary>
public sealed class SshEd25519Identity : AgeIdentity
{
    private readonly byte[] _scalar;
    private readonly SshEd25519Recipient _recipient;

    private SshEd25519Identity(byte[] scalar, SshEd25519Recipient recipient)
    {
        _scalar = scalar;
        _recipient = recipient;
    }

    public override AgeRecipient Recipient => _recipient;

    /// <summary>Reads an OpenSSH private key file (<c>-----BEGIN OPENSSH PRIVATE KEY-----</c>).</summary>
    public static SshEd25519Identity ParsePem(string text, string source)
    {
        var body = text.Trim();
        const string begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----";
        var stop = body.IndexOf(end, StringComparison.Ordinal);
        if (!body.StartsWith(begin, StringComparison.Ordinal) || stop < 0) throw new AgeException($"{source}: not an OpenSSH private key");
        byte[] blob;
        try { blob = Convert.FromBase64String(string.Concat(body[begin.Length..stop].Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries))); }
        catch (FormatException e) { throw new AgeException($"{source}: the private key is not base64", e); }
        var magic = "openssh-key-v1\0"u8;
        if (!blob.AsSpan().StartsWith(magic)) throw new AgeException($"{source}: not an OpenSSH private key (no openssh-key-v1 magic)");
        var reader = new SshWire(blob.AsSpan(magic.Length));
        var cipher = reader.String();
        var kdf = reader.String();
        reader.Bytes(out _); // kdf options
        if (cipher != "none" || kdf != "none")
            throw new AgeException($"{source}: the SSH key is protected by a passphrase, which Hangar cannot ask for; give an unprotected key or an age identity");
        if (reader.UInt32() != 1) throw new AgeException($"{source}: holds more than one key");
        reader.Bytes(out _); // the public key
        var secret = new SshWire(reader.Bytes(out var ok));
        if (!ok || secret.UInt32() is not { } check1 || secret.UInt32() != check1) throw new AgeException($"{source}: the private key is damaged");
        var type = secret.String();
        if (type != "ssh-ed25519") throw new AgeException($"{source}: a {type} key; only ssh-ed25519 keys can be age identities here");
        var publicKey = secret.Bytes(out var okPublic);
        var privateKey = secret.Bytes(out var okPrivate);
        if (!okPublic || !okPrivate || publicKey.Length != 32 || privateKey.Length != 64 || !privateKey[32..].SequenceEqual(publicKey))
            throw new AgeException($"{source}: the ssh-ed25519 private key is damaged");
        var wire = SshWire.Ed25519PublicKey(publicKey);
        var montgomery = Curve25519.FromEd25519(publicKey) ?? throw new AgeException($"{source}: the public key is not a point of Ed25519");
        var hash = SHA512.HashData(privateKey[..32]);
        var scalar = hash[..32];
        CryptographicOperations.ZeroMemory(hash);
        return new SshEd25519Identity(scalar, new SshEd25519Recipient(wire, montgomery));
    }

    internal override byte[]? Unwrap(IReadOnlyList<AgeStanza> stanzas)
    {
        foreach (var stanza in stanzas)
        {
            if (stanza.Type != "ssh-ed25519") continue;
            if (stanza.Args.Count != 2 || stanza.Body.Length != AgeCrypto.FileKeySize + AgeCrypto.TagSize
                || AgeCrypto.FromBase64(stanza.Args[1]) is not { Length: Curve25519.Size } share)
                throw new AgeException("age header has a malformed ssh-ed25519 stanza");
            if (stanza.Args[0] != _recipient.Tag) continue;
            var shared = Curve25519.ScalarMult(_scalar, share);
            if (AgeCrypto.IsZero(shared)) throw new AgeException("age header has an ssh-ed25519 stanza with a point of small order");
            shared = Curve25519.ScalarMult(_recipient.TweakScalar(), shared);
            var key = AgeCrypto.Hkdf(shared, [.. share, .. _recipient.Montgomery], SshEd25519Recipient.Label);
            if (AgeCrypto.Open(key, stanza.Body) is { } fileKey) return fileKey;
        }
        return null;
    }
}
