using System.Security.Cryptography;
using System.Text;
using Hangar.Secrets.Age;
using Hangar.Testing;

namespace Hangar.Secrets.Tests.Age;

/// <summary>
/// Hangar's age files against the real <c>age</c> 1.1 in both directions, with age-keygen's X25519 keys and
/// ssh-keygen's Ed25519 keys, across the payload's chunk boundaries (64 KiB).
/// </summary>
public sealed class AgeInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-age-").FullName;

    public static TheoryData<int> Sizes => [0, 1, 65535, 65536, 65537, 3 * 65536, 200_001];

    private string AgeKey()
    {
        var path = Path.Combine(_dir, $"key-{Guid.NewGuid():N}.txt");
        AgeTool.Run("age-keygen", null, "-o", path);
        return path;
    }

    private string SshKey(string passphrase = "")
    {
        var path = Path.Combine(_dir, $"id-{Guid.NewGuid():N}");
        AgeTool.Run("ssh-keygen", null, "-q", "-t", "ed25519", "-N", passphrase, "-C", "ops@test", "-f", path);
        return path;
    }

    private static AgeIdentity Identity(string path) => Assert.Single(AgeIdentity.ParseFile(File.ReadAllText(path), path));

    [Fact]
    public void X25519Identity_FromAgeKeygen_HasTheRecipientAgeKeygenPrints()
    {
        var key = AgeKey();
        var recipient = Encoding.ASCII.GetString(AgeTool.Run("age-keygen", null, "-y", key)).Trim();

        Assert.Equal(recipient, Identity(key).Recipient.Text);
        Assert.Equal(recipient, AgeRecipient.Parse(recipient).Text);
    }

    [Fact]
    public void X25519Identity_Generated_AgeReadsItsSecretAndRecipient()
    {
        var identity = X25519Identity.Generate();
        var path = Path.Combine(_dir, "generated.txt");
        File.WriteAllText(path, identity.SecretText + "\n");

        Assert.Equal(identity.Recipient.Text, Encoding.ASCII.GetString(AgeTool.Run("age-keygen", null, "-y", path)).Trim());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Encrypt_ToAgeKeygenRecipient_AgeDecryptsIt(int size)
    {
        var key = AgeKey();
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var file = AgeFile.Encrypt(plaintext, [Identity(key).Recipient]);

        Assert.Equal(plaintext, AgeTool.Run("age", file, "-d", "-i", key));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Decrypt_AgeEncryptedToX25519_GivesThePlaintext(int size)
    {
        var key = AgeKey();
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var file = AgeTool.Run("age", plaintext, "-e", "-r", Identity(key).Recipient.Text);

        Assert.Equal(plaintext, AgeFile.Decrypt(file, [Identity(key)]));
    }

    [Fact]
    public void Decrypt_AgeArmoredFile_GivesThePlaintext()
    {
        var key = AgeKey();
        var plaintext = RandomNumberGenerator.GetBytes(100_000);

        var file = AgeTool.Run("age", plaintext, "-e", "-a", "-r", Identity(key).Recipient.Text);

        Assert.StartsWith("-----BEGIN AGE ENCRYPTED FILE-----", Encoding.ASCII.GetString(file));
        Assert.Equal(plaintext, AgeFile.Decrypt(file, [Identity(key)]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70_000)]
    public void Encrypt_ToSshEd25519PublicKey_AgeDecryptsWithThePrivateKey(int size)
    {
        var key = SshKey();
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var file = AgeFile.Encrypt(plaintext, [AgeRecipient.Parse(File.ReadAllText(key + ".pub"))]);

        Assert.Equal(plaintext, AgeTool.Run("age", file, "-d", "-i", key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70_000)]
    public void Decrypt_AgeEncryptedToSshEd25519_OpensWithThePrivateKey(int size)
    {
        var key = SshKey();
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var file = AgeTool.Run("age", plaintext, "-e", "-R", key + ".pub");

        var identity = Identity(key);
        Assert.Equal(plaintext, AgeFile.Decrypt(file, [identity]));
        Assert.Equal(AgeRecipient.Parse(File.ReadAllText(key + ".pub")).Text, identity.Recipient.Text);
    }

    [Fact]
    public void Encrypt_ToSeveralRecipients_EachOpensItAndAgeToo()
    {
        var ageKey = AgeKey();
        var sshKey = SshKey();
        var other = X25519Identity.Generate();
        var plaintext = Encoding.UTF8.GetBytes("db-password: hunter2\n");

        var file = AgeFile.Encrypt(plaintext, [Identity(ageKey).Recipient, AgeRecipient.Parse(File.ReadAllText(sshKey + ".pub")), other.Recipient]);

        Assert.Equal(plaintext, AgeFile.Decrypt(file, [other]));
        Assert.Equal(plaintext, AgeFile.Decrypt(file, [Identity(sshKey)]));
        Assert.Equal(plaintext, AgeTool.Run("age", file, "-d", "-i", ageKey));
        Assert.Equal(plaintext, AgeTool.Run("age", file, "-d", "-i", sshKey));
    }

    [Fact]
    public void ParseFile_PassphraseProtectedSshKey_RefusedSayingSo()
    {
        var key = SshKey(passphrase: "correct horse");

        var e = Assert.Throws<AgeException>(() => AgeIdentity.ParseFile(File.ReadAllText(key), key));

        Assert.Contains("passphrase", e.Message);
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Decrypt_AgeFileWithAPassphrase_RefusedSayingSo()
    {
        // age -p reads its passphrase from a terminal, which a test has not: a header with an scrypt stanza stands in.
        var header = "age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\n" + AgeCryptoBody() + "--- " + new string('A', 43) + "\n";

        var e = Assert.Throws<AgeException>(() => AgeFile.Decrypt(Encoding.ASCII.GetBytes(header), [X25519Identity.Generate()]));

        Assert.Contains("passphrase", e.Message);
    }

    private static string AgeCryptoBody() => Convert.ToBase64String(new byte[32]).TrimEnd('=') + "\n";

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
