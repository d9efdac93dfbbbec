using System.Security.Cryptography;

namespace Hangar.Secrets.Age;

/// <summary>An age X25519 secret key, <c>AGE-SECRET-KEY-1…</c>, as age-keygen writes it.</summary>
public sealed class X25519Identity : AgeIdentity
{
    private readonly byte[] _secret;

    private X25519Identity(byte[] secret)
    {
        _secret = secret;
        Recipient = new X25519Recipient(Curve25519.PublicKey(secret));
    }

    public override AgeRecipient Recipient { get; }

    /// <summary>A new random identity.</summary>
    public static X25519Identity Generate() => new(RandomNumberGenerator.GetBytes(Curve25519.Size));

    /// <summary>The secret key as age writes it (upper-case Bech32). It is the secret: keep it in a 0600 file.</summary>
    public string SecretText => Bech32.Encode("age-secret-key-", _secret).ToUpperInvariant();

    public static X25519Identity Parse(string text)
    {
        if (Bech32.Decode(text.Trim()) is not ("age-secret-key-", { Length: Curve25519.Size } secret))
            throw new AgeException("not a valid age secret key (AGE-SECRET-KEY-1… of 32 bytes, Bech32)");
        return new X25519Identity(secret);
    }

    internal override byte[]? Unwrap(IReadOnlyList<AgeStanza> stanzas)
    {
        var ownPublic = ((X25519Recipient)Recipient).PublicKey;
        foreach (var stanza in stanzas)
        {
            if (stanza.Type != "X25519") continue;
            if (stanza.Args.Count != 1 || AgeCrypto.FromBase64(stanza.Args[0]) is not { Length: Curve25519.Size } share
                || stanza.Body.Length != AgeCrypto.FileKeySize + AgeCrypto.TagSize)
                throw new AgeException("age header has a malformed X25519 stanza");
            var shared = Curve25519.ScalarMult(_secret, share);
            if (AgeCrypto.IsZero(shared)) throw new AgeException("age header has an X25519 stanza with a point of small order");
            var key = AgeCrypto.Hkdf(shared, [.. share, .. ownPublic], X25519Recipient.Label);
            if (AgeCrypto.Open(key, stanza.Body) is { } fileKey) return fileKey;
        }
        return null;
    }
}
