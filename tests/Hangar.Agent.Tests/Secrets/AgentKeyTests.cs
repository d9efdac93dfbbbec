using Hangar.Agent.Secrets;
using Hangar.Secrets.Age;

namespace Hangar.Agent.Tests.Secrets;

public sealed class AgentKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-agentkey-").FullName;

    private AgentOptions Options => new("test", _dir, Path.Combine(_dir, "run"), AcceleratorSetting.Tcg, AgentOptions.DefaultGracefulStopTimeout, AgentOptions.DefaultRestartBackoff);

    [Fact]
    public void LoadOrCreate_FirstStartThenAgain_SameKeyKeptPrivateWithItsRecipientBeside()
    {
        var first = AgentKey.LoadOrCreate(Options);
        var second = AgentKey.LoadOrCreate(Options);

        Assert.Equal(first.Recipient, second.Recipient);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AgentKey.IdentityPath(Options)));
        Assert.Equal(first.Recipient + "\n", File.ReadAllText(AgentKey.RecipientPath(_dir)));
        // The key opens what is encrypted to its recipient.
        var sealedBytes = AgeFile.Encrypt("x"u8, [AgeRecipient.Parse(File.ReadAllText(AgentKey.RecipientPath(_dir)))]);
        Assert.Equal("x"u8.ToArray(), AgeFile.Decrypt(sealedBytes, [second.Identity]));
    }

    [Fact]
    public void LoadOrCreate_IdentityFileDamaged_RefusedNamingIt()
    {
        AgentKey.LoadOrCreate(Options);
        File.WriteAllText(AgentKey.IdentityPath(Options), "AGE-SECRET-KEY-1NOTAKEY\n");

        var e = Assert.Throws<AgeException>(() => AgentKey.LoadOrCreate(Options));

        Assert.Contains(AgentKey.IdentityPath(Options), e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
