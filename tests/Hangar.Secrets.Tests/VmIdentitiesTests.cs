using System.Text;
using Hangar.Secrets.Age;

namespace Hangar.Secrets.Tests;

/// <summary>VM host keys beside the secrets: made once, readable by the recipients, rekeyed with the secrets.</summary>
public sealed class VmIdentitiesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-identities-").FullName;
    private readonly X25519Identity _agent = X25519Identity.Generate();
    private readonly X25519Identity _ops = X25519Identity.Generate();

    private SecretsDirectory Secrets(params (string Name, AgeRecipient Recipient)[] who)
    {
        var secrets = new SecretsDirectory(Path.Combine(_dir, "secrets"));
        if (who.Length > 0)
        {
            Directory.CreateDirectory(secrets.Path);
            File.WriteAllText(secrets.DefaultRecipientsPath, RecipientsFile.Format(who));
        }
        return secrets;
    }

    [Fact]
    public void Create_NewVm_WritesAKeyTheRecipientsOpenAndItsPublicLine()
    {
        var identities = new VmIdentities(Secrets(("agent", _agent.Recipient)));

        var publicKey = identities.Create("web");

        Assert.Equal(publicKey, identities.PublicKey("web"));
        Assert.Equal($"{publicKey} web\n", File.ReadAllText(identities.PublicKeyPath("web")));
        var pem = Encoding.ASCII.GetString(identities.Open("web", [_agent]));
        Assert.Equal(publicKey, SshHostKey.PublicKeyOf(pem, "web"));
        Assert.DoesNotContain("OPENSSH", File.ReadAllText(identities.PrivateKeyPath("web")), StringComparison.Ordinal);
        Assert.Equal(["web"], identities.List());
    }

    [Fact]
    public void Create_TwiceForOneVm_RefusesAndKeepsTheFirstKey()
    {
        var identities = new VmIdentities(Secrets(("agent", _agent.Recipient)));
        var first = identities.Create("web");

        var error = Assert.Throws<AgeException>(() => identities.Create("web"));

        Assert.Contains("has a host key already", error.Message, StringComparison.Ordinal);
        Assert.Equal(first, identities.PublicKey("web"));
    }

    [Fact]
    public void Create_WithoutARecipientsFile_FailsAndWritesNothing()
    {
        var identities = new VmIdentities(Secrets());

        Assert.Throws<AgeException>(() => identities.Create("web"));

        Assert.Null(identities.PublicKey("web"));
        Assert.False(Directory.Exists(identities.Path));
    }

    [Fact]
    public void PublicKey_PubFileWithoutItsPrivateKey_CountsAsNoKey()
    {
        var identities = new VmIdentities(Secrets(("agent", _agent.Recipient)));
        identities.Create("web");
        File.Delete(identities.PrivateKeyPath("web"));

        Assert.Null(identities.PublicKey("web"));
        Assert.Empty(identities.List());
    }

    [Fact]
    public void Rekey_AfterARecipientIsAdded_TheNewRecipientOpensTheHostKeyAndItIsTheSameKey()
    {
        var secrets = Secrets(("agent", _agent.Recipient));
        var identities = new VmIdentities(secrets);
        var publicKey = identities.Create("web");
        var before = identities.Open("web", [_agent]);
        Assert.Throws<AgeException>(() => identities.Open("web", [_ops]));
        File.WriteAllText(secrets.DefaultRecipientsPath, RecipientsFile.Format([("agent", _agent.Recipient), ("ops", _ops.Recipient)]));

        var rekeyed = secrets.Rekey([_agent]);

        Assert.Contains("identities/web", rekeyed);
        Assert.Equal(before, identities.Open("web", [_ops]));
        Assert.Equal(publicKey, identities.PublicKey("web"));
    }

    [Fact]
    public void Rekey_HostKeyNoIdentityOpens_RewritesNothing()
    {
        var secrets = Secrets(("agent", _agent.Recipient));
        var identities = new VmIdentities(secrets);
        identities.Create("web");
        secrets.Write("api-key", "k"u8);
        var secretBefore = File.ReadAllBytes(secrets.FileOf("api-key"));

        Assert.Throws<AgeException>(() => secrets.Rekey([_ops]));

        Assert.Equal(secretBefore, File.ReadAllBytes(secrets.FileOf("api-key")));
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("../x")]
    [InlineData("")]
    public void Create_NotAVmName_IsRefused(string vm) =>
        Assert.Throws<AgeException>(() => new VmIdentities(Secrets(("agent", _agent.Recipient))).Create(vm));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
