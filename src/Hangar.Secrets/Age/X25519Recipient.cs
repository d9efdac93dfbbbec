using System.Security.Cryptography;

namespace Hangar.Secrets.Age;

/// <summary>An age X25519 recipient, <c>age1…</c>: the native kind (age-keygen, an agent's own key).</summary>
public sealed class X25519Recipient : AgeRecipient
{
    internal const string Label = "age-encryption.org/v1/X25519";

    internal X25519Recipient(byte[] publicKey)
    {
        PublicKey = publicKey;
        Text = Bech32.Encode("age", publicKey);
    }

    internal byte[] PublicKey { get; }

    public override string Text { get; }

    public static new X25519Recipient Parse(string text)
    {
        if (Bech32.Decode(text) is not ("age", { Length: Curve25519.Size } key))
            throw new AgeException($"'{Shorten(text)}' is not a valid age public key (age1… of 32 bytes, Bech32)");
        return new X25519Recipient(key);
    }

    internal override AgeStanza Wrap(ReadOnlySpan<byte> fileKey)
    {
        var ephemeral = RandomNumberGenerator.GetBytes(Curve25519.Size);
        try
        {
            var share = Curve25519.PublicKey(ephemeral);
            var shared = Curve25519.ScalarMult(ephemeral, PublicKey);
            if (AgeCrypto.IsZero(shared)) throw new AgeException($"age public key {Text} is a point of small order");
            var key = AgeCrypto.Hkdf(shared, [.. share, .. PublicKey], Label);
            return new AgeStanza("X25519", [AgeCrypto.Base64(share)], AgeCrypto.Seal(key, fileKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }
}
