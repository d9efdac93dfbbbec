using System.Text;
using Hangar.Agent.Guests;
using Hangar.Agent.Secrets;
using Hangar.Secrets;
using Hangar.Secrets.Age;
using Hangar.Spec;

namespace Hangar.Agent.Tests.Secrets;

/// <summary>A VM's host key: staged like a secret, checked against its public line, and put in its seed on the tmpfs.</summary>
public sealed class HostKeyStagingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-hostkey-").FullName;

    private AgentOptions Options => new("test", _dir, Path.Combine(_dir, "run"), AcceleratorSetting.Tcg, AgentOptions.DefaultGracefulStopTimeout, AgentOptions.DefaultRestartBackoff);

    private static VmIdentity Identity(SshHostKey key, AgeRecipient to) =>
        new(key.PublicKey) { Ciphertext = Convert.ToBase64String(AgeFile.Encrypt(key.PrivatePem, [to])) };

    [Fact]
    public void Stage_HostKeyForThisAgent_IsTheCredentialFileAndHeldForTheSeedUntilDisposed()
    {
        var agent = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, agent);
        using var key = SshHostKey.Generate("root@web");
        var identity = Identity(key, agent.Identity.Recipient);
        var file = Assert.Single(staging.Arguments("web", null, identity).FwCfgFiles);
        Assert.Equal("opt/io.systemd.credentials/hangar.ssh-host-key", file.Name);

        byte[] held;
        using (var staged = staging.Stage("web", null, identity))
        {
            Assert.Equal(key.PrivatePem, File.ReadAllBytes(file.Path));
            Assert.Equal("tmpfs", PrivateTmpfs.FileSystemOf(file.Path));
            held = staged.HostKey!;
            Assert.Equal(key.PrivatePem, held);
        }

        Assert.False(File.Exists(file.Path));
        Assert.All(held, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Stage_PrivateKeyOfAnotherPair_FailsSayingSoAndLeavesNothing()
    {
        var agent = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, agent);
        using var key = SshHostKey.Generate("root@web");
        using var other = SshHostKey.Generate("root@db");
        var mixed = Identity(other, agent.Identity.Recipient) with { };
        mixed = new VmIdentity(key.PublicKey) { Ciphertext = mixed.Ciphertext };

        var error = Assert.Throws<CredentialException>(() => staging.Stage("web", null, mixed));

        Assert.Contains("does not belong to the public key in secrets/identities/web.pub", error.Message);
        Assert.False(Directory.Exists(staging.DirectoryFor("web")));
    }

    [Fact]
    public void Stage_HostKeyForAnotherAgent_FailsNamingThisAgentsRecipient()
    {
        var agent = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, agent);
        using var key = SshHostKey.Generate("root@web");

        var error = Assert.Throws<CredentialException>(() => staging.Stage("web", null, Identity(key, X25519Identity.Generate().Recipient)));

        Assert.Contains("the host key of VM web (secrets/identities/web.age): this agent cannot open it", error.Message);
        Assert.Contains(agent.Recipient, error.Message);
    }

    [Fact]
    public void Arguments_RekeyedHostKey_ChangesTheDigestAndAPendingOneAddsNothing()
    {
        var agent = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, agent);
        using var key = SshHostKey.Generate("root@web");

        var first = staging.Arguments("web", null, Identity(key, agent.Identity.Recipient));
        var second = staging.Arguments("web", null, Identity(key, agent.Identity.Recipient));

        Assert.NotEqual(first.SecretsDigest, second.SecretsDigest); // age's random file key: new ciphertext, a restart
        Assert.Same(CredentialArguments.None, staging.Arguments("web", null, new VmIdentity(null)));
    }

    [Fact]
    public async Task SeedWithHostKey_WrittenOnTheTmpfs_CarriesTheKeyAndStagingRemovesIt()
    {
        var agent = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, agent);
        using var key = SshHostKey.Generate("root@web");
        var seed = CloudInitSeed.For("web", null, key.PublicKey);
        var path = staging.SeedPathFor("web");

        using (var staged = staging.Stage("web", null, Identity(key, agent.Identity.Recipient)))
        {
            await new SeedImageWriter().WriteAsync(seed.WithHostKey(Encoding.ASCII.GetString(staged.HostKey!), key.PublicKey + " root@web"),
                path, CancellationToken.None, staging.SeedWorkFor("web"));
            Assert.Equal("tmpfs", PrivateTmpfs.FileSystemOf(path));
            Assert.Contains("BEGIN OPENSSH PRIVATE KEY", Encoding.ASCII.GetString(File.ReadAllBytes(path)));
        }

        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(staging.DirectoryFor("web")));
    }

    [Fact]
    public void Stage_SecretTheGuestOpens_IsItsAgeFileAsItIsAndOpensWithTheVmsHostKey()
    {
        var agent = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, agent);
        using var key = SshHostKey.Generate("root@db");
        var ciphertext = AgeFile.Encrypt("only for db"u8, [AgeRecipient.Parse(key.PublicKey)]); // not for the agent
        var secret = new CredentialSpec("db-password", CredentialKind.Secret, "db-password") { Ciphertext = Convert.ToBase64String(ciphertext), DecryptInGuest = true };
        var path = Assert.Single(staging.Arguments("db", new ValueList<CredentialSpec>([secret])).FwCfgFiles).Path;

        using (staging.Stage("db", new ValueList<CredentialSpec>([secret])))
        {
            var handed = File.ReadAllBytes(path);
            Assert.Equal(ciphertext, handed);
            Assert.Equal("only for db"u8.ToArray(), AgeFile.Decrypt(handed, [SshEd25519Identity.ParsePem(Encoding.ASCII.GetString(key.PrivatePem), "db")]));
        }

        Assert.False(File.Exists(path));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
