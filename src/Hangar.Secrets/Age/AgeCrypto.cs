using System.Security.Cryptography;
using System.Text;

namespace Hangar.Secrets.Age;

/// <summary>The primitives of age-encryption.org/v1 on .NET's own: HKDF-SHA-256, ChaCha20-Poly1305, unpadded base64.</summary>
internal static class AgeCrypto
{
    /// <summary>The size of a file key.</summary>
    public const int FileKeySize = 16;

    /// <summary>The size of a Poly1305 tag.</summary>
    public const int TagSize = 16;

    /// <summary>
    /// HKDF-SHA-256 (RFC 5869) of one block, 32 bytes: extract, then expand with counter 1. Written out on HMAC because
    /// .NET's <see cref="HKDF"/> goes to OpenSSL, which refuses the empty input key age's ssh-ed25519 tweak uses.
    /// </summary>
    public static byte[] Hkdf(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> salt, string info)
    {
        var prk = HMACSHA256.HashData(salt, secret);
        try { return HMACSHA256.HashData(prk, (byte[])[.. Encoding.ASCII.GetBytes(info), 1]); }
        finally { CryptographicOperations.ZeroMemory(prk); }
    }

    /// <summary>ChaCha20-Poly1305 under a key used once (a zero nonce): ciphertext then tag.</summary>
    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[plaintext.Length + TagSize];
        using var aead = new ChaCha20Poly1305(key);
        aead.Encrypt(stackalloc byte[12], plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length));
        return sealedBytes;
    }

    /// <summary>The plaintext of <see cref="Seal"/>'s output; null when it does not authenticate under this key.</summary>
    public static byte[]? Open(byte[] key, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < TagSize) return null;
        var plaintext = new byte[sealedBytes.Length - TagSize];
        using var aead = new ChaCha20Poly1305(key);
        try
        {
            aead.Decrypt(stackalloc byte[12], sealedBytes[..^TagSize], sealedBytes[^TagSize..], plaintext);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    /// <summary>Standard base64 without padding, as age writes it.</summary>
    public static string Base64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>The bytes of canonical unpadded base64; null for anything else (padding, other characters, unused bits set).</summary>
    public static byte[]? FromBase64(string text)
    {
        if (text.Length % 4 == 1 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))) return null;
        var padded = text + new string('=', (4 - text.Length % 4) % 4);
        byte[] bytes;
        try { bytes = Convert.FromBase64String(padded); }
        catch (FormatException) { return null; }
        return Base64(bytes) == text ? bytes : null;
    }

    /// <summary>A shared secret of all zeros: the peer's point was of small order.</summary>
    public static bool IsZero(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;
}
