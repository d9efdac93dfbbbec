using Hangar.Cli.Commands;

namespace Hangar.Cli.Tests.Commands;

public sealed class SshCommandTests
{
    [Fact]
    public void Arguments_WithKeyAndCommand_PortUserAliasAndCommandAfterDoubleDash()
    {
        var args = SshCommand.Arguments("deb1", 2224, "ops", "/k/id", "/h/ssh/known_hosts", ["uname", "-a"]);

        Assert.Equal([
            "ssh", "-p", "2224", "-o", "HostKeyAlias=hangar-deb1", "-o", "UserKnownHostsFile=/h/ssh/known_hosts",
            "-o", "StrictHostKeyChecking=accept-new", "-i", "/k/id", "-o", "IdentitiesOnly=yes", "ops@127.0.0.1", "--", "uname", "-a",
        ], args);
    }

    [Fact]
    public void Arguments_NoKeyNoCommand_IsALoginWithSshsOwnKeys()
    {
        var args = SshCommand.Arguments("deb1", 2223, "ops", null, "/h/known_hosts", []);

        Assert.Equal("ops@127.0.0.1", args[^1]);
        Assert.DoesNotContain("-i", args);
        Assert.DoesNotContain("--", args);
    }

    [Fact]
    public void Arguments_Pinned_AcceptsOnlyTheKnownEd25519Key()
    {
        var args = SshCommand.Arguments("deb1", 2223, "ops", null, "/h/ssh/deb1.known_hosts", [], pinned: true);

        Assert.Contains("StrictHostKeyChecking=yes", args);
        Assert.Contains("HostKeyAlgorithms=ssh-ed25519", args);
        Assert.DoesNotContain("StrictHostKeyChecking=accept-new", args);
        Assert.Equal("hangar-deb1 ssh-ed25519 AAAA", SshCommand.KnownHostsLine("deb1", "ssh-ed25519 AAAA"));
    }
}
