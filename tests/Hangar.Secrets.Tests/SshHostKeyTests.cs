using System.Text;
using Hangar.Secrets.Age;
using Hangar.Testing;

namespace Hangar.Secrets.Tests;

/// <summary>Hangar's own SSH host keys against RFC 8032's vectors and the real ssh-keygen.</summary>
public sealed class SshHostKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-hostkey-").FullName;

    [Theory]
    // RFC 8032 section 7.1, tests 1, 2 and 3.
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")]
    [InlineData("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")]
    [InlineData("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025")]
    public void Ed25519PublicKey_Rfc8032Vectors_GiveTheRfcsKey(string seed, string expected) =>
        Assert.Equal(expected, Convert.ToHexStringLower(Curve25519.Ed25519PublicKey(Convert.FromHexString(seed))));

    [Fact]
    public void Generate_ManyKeys_SshKeygenDerivesTheSamePublicKeyFromEach()
    {
        for (var i = 0; i < 20; i++)
        {
            using var key = SshHostKey.Generate($"root@vm{i}");
            var file = Write(key.PrivatePem);

            var derived = Encoding.ASCII.GetString(AgeTool.Run("ssh-keygen", null, "-y", "-f", file)).Trim();

            Assert.Equal(key.PublicKey, string.Join(' ', derived.Split(' ').Take(2)));
            Assert.EndsWith($"root@vm{i}", derived); // the comment is in the private key where ssh-keygen looks for it
        }
    }

    [Fact]
    public void Fingerprint_OfAGeneratedKey_IsWhatSshKeygenPrints()
    {
        using var key = SshHostKey.Generate("root@web");
        var file = Write(Encoding.ASCII.GetBytes(key.PublicKey + " web\n"), ".pub");

        var listed = Encoding.ASCII.GetString(AgeTool.Run("ssh-keygen", null, "-l", "-E", "sha256", "-f", file));

        Assert.Equal(listed.Split(' ')[1], SshHostKey.Fingerprint(key.PublicKey));
    }

    [Fact]
    public void PrivatePem_ReadAsAnAgeIdentity_OpensWhatIsEncryptedToThePublicKey()
    {
        using var key = SshHostKey.Generate("root@db");
        var sealedFile = AgeFile.Encrypt("db password"u8, [AgeRecipient.Parse(key.PublicKey)]);

        var identity = SshEd25519Identity.ParsePem(Encoding.ASCII.GetString(key.PrivatePem), "db");

        Assert.Equal("db password"u8.ToArray(), AgeFile.Decrypt(sealedFile, [identity]));
        Assert.Equal(key.PublicKey, SshHostKey.PublicKeyOf(Encoding.ASCII.GetString(key.PrivatePem), "db"));
    }

    [Fact]
    public void PublicKeyOf_AKeyFromSshKeygen_IsItsPublicLine()
    {
        var path = Path.Combine(_dir, "id");
        AgeTool.Run("ssh-keygen", null, "-q", "-t", "ed25519", "-N", "", "-C", "x", "-f", path);

        Assert.Equal(string.Join(' ', File.ReadAllText(path + ".pub").Split(' ').Take(2)), SshHostKey.PublicKeyOf(File.ReadAllText(path), path));
    }

    [Fact]
    public void Dispose_ZeroesThePrivateKey()
    {
        var key = SshHostKey.Generate("root@x");
        var pem = key.PrivatePem;

        key.Dispose();

        Assert.All(pem, b => Assert.Equal(0, b));
    }

    private string Write(byte[] bytes, string suffix = "")
    {
        var file = Path.Combine(_dir, $"key-{Guid.NewGuid():N}{suffix}");
        File.WriteAllBytes(file, bytes);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
