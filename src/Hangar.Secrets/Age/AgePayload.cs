using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hangar.Secrets.Age;

/// <summary>
/// The payload of an age file: a 16-byte nonce, then the STREAM construction, ChaCha20-Poly1305 over chunks of 64 KiB
/// under a key from the file key and that nonce; each chunk's nonce is its number and whether it is the last, so a
/// file cut at a chunk boundary or with chunks reordered does not authenticate.
/// </summary>
internal static class AgePayload
{
    public const int ChunkSize = 64 * 1024;
    private const int NonceSize = 16;

    public static void Encrypt(ReadOnlySpan<byte> fileKey, Stream plaintext, Stream output)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        output.Write(nonce);
        using var aead = new ChaCha20Poly1305(AgeCrypto.Hkdf(fileKey, nonce, "payload"));
        var current = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var currentLength = plaintext.ReadAtLeast(current, ChunkSize, throwOnEndOfStream: false);
        var sealedChunk = new byte[ChunkSize + AgeCrypto.TagSize];
        try
        {
            for (ulong counter = 0; ; counter++)
            {
                var nextLength = currentLength < ChunkSize ? 0 : plaintext.ReadAtLeast(next, ChunkSize, throwOnEndOfStream: false);
                var last = nextLength == 0;
                aead.Encrypt(ChunkNonce(counter, last), current.AsSpan(0, currentLength), sealedChunk.AsSpan(0, currentLength),
                    sealedChunk.AsSpan(currentLength, AgeCrypto.TagSize));
                output.Write(sealedChunk, 0, currentLength + AgeCrypto.TagSize);
                if (last) return;
                (current, next) = (next, current);
                currentLength = nextLength;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(current);
            CryptographicOperations.ZeroMemory(next);
        }
    }

    /// <summary>Decrypts chunk by chunk into <paramref name="plaintext"/>; a chunk is written only once it authenticated.</summary>
    public static void Decrypt(ReadOnlySpan<byte> fileKey, Stream input, Stream plaintext)
    {
        var nonce = new byte[NonceSize];
        if (input.ReadAtLeast(nonce, NonceSize, throwOnEndOfStream: false) < NonceSize)
            throw new AgeException("age file ends after its header: the payload is missing");
        using var aead = new ChaCha20Poly1305(AgeCrypto.Hkdf(fileKey, nonce, "payload"));
        const int sealedSize = ChunkSize + AgeCrypto.TagSize;
        var current = new byte[sealedSize];
        var next = new byte[sealedSize];
        var chunk = new byte[ChunkSize];
        var currentLength = input.ReadAtLeast(current, sealedSize, throwOnEndOfStream: false);
        try
        {
            for (ulong counter = 0; ; counter++)
            {
                var nextLength = currentLength < sealedSize ? 0 : input.ReadAtLeast(next, sealedSize, throwOnEndOfStream: false);
                var last = nextLength == 0;
                if (currentLength < AgeCrypto.TagSize)
                    throw new AgeException($"age payload chunk {counter + 1} is truncated: the file was cut short");
                var length = currentLength - AgeCrypto.TagSize;
                if (last && length == 0 && counter > 0)
                    throw new AgeException("age payload ends with an empty chunk, which only an empty file may have");
                try
                {
                    aead.Decrypt(ChunkNonce(counter, last), current.AsSpan(0, length), current.AsSpan(length, AgeCrypto.TagSize), chunk.AsSpan(0, length));
                }
                catch (AuthenticationTagMismatchException e)
                {
                    throw new AgeException($"age payload chunk {counter + 1} does not authenticate: the file was altered or cut short", e);
                }
                plaintext.Write(chunk, 0, length);
                if (last) return;
                (current, next) = (next, current);
                currentLength = nextLength;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(chunk);
        }
    }

    /// <summary>11 bytes of the chunk's number, big-endian, then 1 for the last chunk and 0 for the others.</summary>
    private static byte[] ChunkNonce(ulong counter, bool last)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(3, 8), counter);
        nonce[11] = last ? (byte)1 : (byte)0;
        return nonce;
    }
}
