using System.Security.Cryptography;
using System.Text;

namespace Hangar.Secrets.Age;

/// <summary>
/// Encrypts and decrypts age files (age-encryption.org/v1), binary or armored: what <c>age -r/-R</c> and
/// <c>age -d -i</c> do, readable and writable by the real <c>age</c> and by agenix.
/// </summary>
public static class AgeFile
{
    private const string ArmorBegin = "-----BEGIN AGE ENCRYPTED FILE-----", ArmorEnd = "-----END AGE ENCRYPTED FILE-----";

    /// <summary>Encrypts <paramref name="plaintext"/> to every one of <paramref name="recipients"/> (at least one).</summary>
    public static void Encrypt(Stream plaintext, Stream output, IReadOnlyCollection<AgeRecipient> recipients)
    {
        if (recipients.Count == 0) throw new AgeException("no recipient to encrypt to");
        var fileKey = RandomNumberGenerator.GetBytes(AgeCrypto.FileKeySize);
        try
        {
            output.Write(AgeHeader.Write(recipients.Select(r => r.Wrap(fileKey)).ToList(), fileKey));
            AgePayload.Encrypt(fileKey, plaintext, output);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, IReadOnlyCollection<AgeRecipient> recipients)
    {
        var copy = plaintext.ToArray();
        using var output = new MemoryStream();
        try
        {
            Encrypt(new MemoryStream(copy, writable: false), output, recipients);
            return output.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    /// <summary>
    /// Decrypts <paramref name="input"/> with the first of <paramref name="identities"/> the file is meant for. Chunks
    /// reach <paramref name="plaintext"/> as they authenticate: on an error, discard what was written.
    /// </summary>
    public static void Decrypt(Stream input, Stream plaintext, IReadOnlyCollection<AgeIdentity> identities)
    {
        var head = new byte[ArmorBegin.Length];
        var read = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Stream source = new BufferedStream(new PrefixedStream(head[..read], input), 64 * 1024);
        if (read == head.Length && Encoding.ASCII.GetString(head) == ArmorBegin) source = Dearmor(source);
        var header = AgeHeader.Read(source);
        if (header.Stanzas.Any(s => s.Type == "scrypt"))
            throw new AgeException("the file is encrypted with a passphrase (scrypt); Hangar opens files with identities only");
        byte[]? fileKey = null;
        foreach (var identity in identities)
            if ((fileKey = identity.Unwrap(header.Stanzas)) is not null) break;
        if (fileKey is null)
            throw new AgeException($"none of the {Count(identities.Count, "identity", "identities")} given opens this file; it is encrypted to "
                + string.Join(", ", header.Stanzas.GroupBy(s => s.Type).Select(g => Count(g.Count(), g.Key + " recipient", g.Key + " recipients"))));
        try
        {
            if (!header.Verify(fileKey)) throw new AgeException("the age header's MAC does not match: the file was altered");
            AgePayload.Decrypt(fileKey, source, plaintext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>The plaintext of a whole age file, returned only once all of it authenticated.</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> ageFile, IReadOnlyCollection<AgeIdentity> identities)
    {
        using var output = new MemoryStream();
        try
        {
            Decrypt(new MemoryStream(ageFile.ToArray(), writable: false), output, identities);
            return output.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output.GetBuffer()); // what was written before an error, too
        }
    }

    private static MemoryStream Dearmor(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.ASCII, leaveOpen: true);
        var text = reader.ReadToEnd().Trim();
        if (!text.EndsWith(ArmorEnd, StringComparison.Ordinal)) throw new AgeException("armored age file has no END line: it is truncated");
        var body = text[ArmorBegin.Length..^ArmorEnd.Length];
        try { return new MemoryStream(Convert.FromBase64String(string.Concat(body.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries)))); }
        catch (FormatException e) { throw new AgeException("armored age file is not valid base64", e); }
    }

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";
}
