using Hangar.Agent.Secrets;
using Hangar.Secrets;
using Hangar.Secrets.Age;
using Hangar.Spec;

namespace Hangar.Agent.Tests.Secrets;

/// <summary>How a VM's credentials reach QEMU: secrets decrypted only onto a tmpfs, only while staged.</summary>
public sealed class CredentialStagingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-staging-").FullName;

    private AgentOptions Options => new("test", _dir, Path.Combine(_dir, "run"), AcceleratorSetting.Tcg, AgentOptions.DefaultGracefulStopTimeout, AgentOptions.DefaultRestartBackoff);

    private static string Encrypt(string plaintext, AgeRecipient recipient) =>
        Convert.ToBase64String(AgeFile.Encrypt(System.Text.Encoding.UTF8.GetBytes(plaintext), [recipient]));

    private static ValueList<CredentialSpec> Credentials(params CredentialSpec[] credentials) => new(credentials);

    [Fact]
    public void Stage_SecretForThisAgent_IsAPrivateFileOnATmpfsUntilDisposed()
    {
        var key = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, key);
        var secret = new CredentialSpec("api-key", CredentialKind.Secret, "api-key") { Ciphertext = Encrypt("hunter2", key.Identity.Recipient) };
        var arguments = staging.Arguments("web", Credentials(secret));
        var path = Assert.Single(arguments.FwCfgFiles).Path;

        using (staging.Stage("web", Credentials(secret)))
        {
            Assert.Equal("hunter2", File.ReadAllText(path));
            Assert.Equal("tmpfs", PrivateTmpfs.FileSystemOf(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }

        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(staging.Root)); // nothing is left in /dev/shm once no VM is staging
    }

    [Fact]
    public void Stage_SecretForAnotherKey_FailsNamingTheSecretAndThisAgentsRecipientAndLeavesNothing()
    {
        var key = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, key);
        var mine = new CredentialSpec("a", CredentialKind.Secret, "mine") { Ciphertext = Encrypt("one", key.Identity.Recipient) };
        var theirs = new CredentialSpec("b", CredentialKind.Secret, "theirs") { Ciphertext = Encrypt("two", X25519Identity.Generate().Recipient) };

        var error = Assert.Throws<CredentialException>(() => staging.Stage("web", Credentials(mine, theirs)));

        Assert.Contains("credential 'b' (secret 'theirs'): this agent cannot open secrets/theirs.age", error.Message);
        Assert.Contains(key.Recipient, error.Message);
        Assert.Contains("hangar secret rekey", error.Message);
        Assert.False(Directory.Exists(staging.DirectoryFor("web"))); // the one it could open is gone too
    }

    [Fact]
    public void Stage_FileThatIsMissing_FailsNamingItBeforeAnySecretIsWritten()
    {
        var key = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, key);
        var missing = Path.Combine(_dir, "no-such.pem");

        var error = Assert.Throws<CredentialException>(() => staging.Stage("web", Credentials(
            new CredentialSpec("ca", CredentialKind.File, missing),
            new CredentialSpec("k", CredentialKind.Secret, "k") { Ciphertext = Encrypt("x", key.Identity.Recipient) })));

        Assert.Equal($"credential 'ca' (file {missing}): there is no such file on this host", error.Message);
        Assert.False(Directory.Exists(staging.DirectoryFor("web")));
    }

    [Fact]
    public void Arguments_ValuesAndFiles_GoToSmbiosAndFwCfgAndOnlyTheSecretsCiphertextMovesTheDigest()
    {
        var key = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, key);
        var file = new CredentialSpec("ca", CredentialKind.File, "/etc/ssl/ca.pem");
        var value = new CredentialSpec("motd", CredentialKind.Value, "hi");
        var one = new CredentialSpec("k", CredentialKind.Secret, "k") { Ciphertext = Encrypt("same", key.Identity.Recipient) };
        var two = one with { Ciphertext = Encrypt("same", key.Identity.Recipient) }; // a rekey: new ciphertext, same plaintext

        var first = staging.Arguments("web", Credentials(file, one, value));
        var second = staging.Arguments("web", Credentials(file, two, value));

        Assert.Equal(["io.systemd.credential:motd=hi"], first.OemStrings);
        Assert.Equal([("opt/io.systemd.credentials/ca", "/etc/ssl/ca.pem"), ("opt/io.systemd.credentials/k", Path.Combine(staging.DirectoryFor("web"), "k"))],
            first.FwCfgFiles.Select(f => (f.Name, f.Path)));
        Assert.NotEqual(first.SecretsDigest, second.SecretsDigest);
        Assert.Equal("", staging.Arguments("web", Credentials(file, value)).SecretsDigest);
        Assert.Same(CredentialArguments.None, staging.Arguments("web", null));
    }

    [Fact]
    public void RemoveLeftovers_StagedFilesOfACrash_AreRemoved()
    {
        var key = AgentKey.LoadOrCreate(Options);
        var staging = new CredentialStaging(Options, key);
        var secret = new CredentialSpec("k", CredentialKind.Secret, "k") { Ciphertext = Encrypt("x", key.Identity.Recipient) };
        _ = staging.Stage("web", Credentials(secret)); // never disposed: the agent died before QEMU started

        new CredentialStaging(Options, key).RemoveLeftovers();

        Assert.False(Directory.Exists(staging.Root));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
