using System.Security.Cryptography;
using System.Text;
using Hangar.Secrets.Age;

namespace Hangar.Secrets.Tests.Age;

/// <summary>What an altered, cut or hostile age file gets: a clear refusal, never a wrong plaintext.</summary>
public sealed class AgeFileTests
{
    private static readonly X25519Identity Identity = X25519Identity.Generate();

    private static byte[] Encrypted(int size) => AgeFile.Encrypt(RandomNumberGenerator.GetBytes(size), [Identity.Recipient]);

    private static int PayloadStart(byte[] file) => file.AsSpan().IndexOf("\n---"u8) is var at and >= 0
        ? at + file.AsSpan(at + 1).IndexOf((byte)'\n') + 2
        : throw new InvalidOperationException("no MAC line");

    [Fact]
    public void Decrypt_WrongIdentity_SaysWhatTheFileIsEncryptedTo()
    {
        var e = Assert.Throws<AgeException>(() => AgeFile.Decrypt(Encrypted(10), [X25519Identity.Generate()]));

        Assert.Equal("none of the 1 identity given opens this file; it is encrypted to 1 X25519 recipient", e.Message);
    }

    [Fact]
    public void Decrypt_PayloadByteFlipped_RefusedNamingTheChunk()
    {
        var file = Encrypted(3 * AgePayload.ChunkSize);
        file[PayloadStart(file) + 16 + AgePayload.ChunkSize + 16 + 5] ^= 1; // in the second chunk

        var e = Assert.Throws<AgeException>(() => AgeFile.Decrypt(file, [Identity]));

        Assert.Contains("chunk 2 does not authenticate", e.Message);
    }

    [Fact]
    public void Decrypt_CutAtAChunkBoundary_Refused()
    {
        // Cut after the first full chunk: it was not sealed as the last one, so it must not pass as a whole file.
        var file = Encrypted(2 * AgePayload.ChunkSize);
        var cut = file[..(PayloadStart(file) + 16 + AgePayload.ChunkSize + 16)];

        Assert.Throws<AgeException>(() => AgeFile.Decrypt(cut, [Identity]));
    }

    [Fact]
    public void Decrypt_MacLineAltered_RefusedAsAltered()
    {
        var file = Encrypted(10);
        var text = Encoding.ASCII.GetString(file, 0, PayloadStart(file));
        var macAt = text.IndexOf("\n--- ", StringComparison.Ordinal) + 5;
        file[macAt] = (byte)(file[macAt] == 'A' ? 'B' : 'A');

        var e = Assert.Throws<AgeException>(() => AgeFile.Decrypt(file, [Identity]));

        Assert.Contains("MAC", e.Message);
    }

    [Fact]
    public void Decrypt_HeaderBuiltToBeExpensive_RefusedWithinItsBound()
    {
        // Millions of stanzas would each cost an X25519; the header's size bound refuses the file first.
        var header = new StringBuilder("age-encryption.org/v1\n");
        var stanza = "-> X25519 " + new string('A', 43) + "\n" + new string('A', 43) + "\n";
        while (header.Length <= AgeHeader.MaxBytes) header.Append(stanza);

        var e = Assert.Throws<AgeException>(() => AgeFile.Decrypt(Encoding.ASCII.GetBytes(header.ToString()), [Identity]));

        Assert.Contains("longer than", e.Message);
    }

    [Theory]
    [InlineData("", "not an age file")]
    [InlineData("age-encryption.org/v2\n", "unsupported age version")]
    [InlineData("age-encryption.org/v1\n-> X25519 abc\n", "truncated")]
    [InlineData("age-encryption.org/v1\n--- AAAA\n", "MAC line is malformed")]
    [InlineData("age-encryption.org/v1\nhello\n", "expected a stanza")]
    public void Decrypt_MalformedHeader_NamesWhatIsWrong(string file, string expected)
    {
        var e = Assert.Throws<AgeException>(() => AgeFile.Decrypt(Encoding.ASCII.GetBytes(file), [Identity]));

        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("age1qqqq", "not a valid age public key")]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2E", "only ssh-ed25519")]
    [InlineData("hello", "not a recipient")]
    [InlineData("ssh-ed25519 !!!", "not base64")]
    public void ParseRecipient_Invalid_NamesWhatIsWrong(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<AgeException>(() => AgeRecipient.Parse(text)).Message);

    [Fact]
    public void ParseFile_BadLine_NamesFileAndLine()
    {
        var text = "# created: today\n" + Identity.SecretText + "\nAGE-SECRET-KEY-1XYZ\n";

        var e = Assert.Throws<AgeException>(() => AgeIdentity.ParseFile(text, "keys.txt"));

        Assert.StartsWith("keys.txt:3:", e.Message);
    }

    [Fact]
    public void EncryptDecrypt_Stream_RoundTripsAcrossChunks()
    {
        var plaintext = RandomNumberGenerator.GetBytes(5 * AgePayload.ChunkSize + 7);
        using var encrypted = new MemoryStream();
        AgeFile.Encrypt(new MemoryStream(plaintext), encrypted, [Identity.Recipient]);
        encrypted.Position = 0;
        using var decrypted = new MemoryStream();

        AgeFile.Decrypt(encrypted, decrypted, [Identity]);

        Assert.Equal(plaintext, decrypted.ToArray());
    }
}
