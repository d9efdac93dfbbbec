using System.Text;
using System.Text.Json.Nodes;
using Hangar.Qemu.Tests.TestSupport;
using Hangar.Testing;

namespace Hangar.Qemu.Tests.GuestAgent;

/// <summary>The client side of the guest agent protocol against <see cref="FakeGuestAgent"/> on a real unix socket.</summary>
public sealed class GuestAgentClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ConnectAsync_StaleRepliesInThePipe_SyncsPastThemSoRepliesMatchTheirCommands()
    {
        using var dir = new TempDirectory();
        // Late replies of an earlier session: an earlier sync's (delimited, another id), then a whole reply that the
        // next command would take for its own, then half a line.
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"))
        {
            StaleBytes = [.. "{\"return\": {\"pid\": 7}}\n"u8, 0xFF, .. "{\"return\": 42}\n{\"return\": {\"host-name\": \"stale\"}}\n{\"retu"u8],
        };
        await using var client = await GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None);

        var info = await client.GetInfoAsync(Timeout, CancellationToken.None);

        Assert.Equal(new GuestInfo("Debian GNU/Linux 12 (bookworm)", "deb1", ["10.0.2.15/24", "fec0::5054:ff:fe12:3456/64"]), info);
    }

    [Fact]
    public async Task ConnectAsync_NoAgentAnswers_ThrowsNoAnswer()
    {
        using var dir = new TempDirectory();
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"), silent: true);

        var e = await Assert.ThrowsAsync<GuestAgentException>(() =>
            GuestAgentClient.ConnectAsync(dir.File("qga.sock"), TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None));

        Assert.True(e.NoAnswer);
        Assert.Contains("qemu-ga", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NoSocket_ThrowsNoAnswerNamingThePath()
    {
        using var dir = new TempDirectory();

        var e = await Assert.ThrowsAsync<GuestAgentException>(() =>
            GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None));

        Assert.True(e.NoAnswer);
        Assert.Contains(dir.File("qga.sock"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInfoAsync_ReturnsOsHostNameAndAddressesWithoutLoopback()
    {
        using var dir = new TempDirectory();
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"));
        await using var client = await GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None);

        var info = await client.GetInfoAsync(Timeout, CancellationToken.None);

        Assert.Equal(new GuestInfo("Debian GNU/Linux 12 (bookworm)", "deb1", ["10.0.2.15/24", "fec0::5054:ff:fe12:3456/64"]), info);
    }

    [Fact]
    public async Task GetInfoAsync_CommandsDisabledInTheGuest_LeavesThosePartsEmpty()
    {
        using var dir = new TempDirectory();
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"))
        {
            Disabled = new HashSet<string> { "guest-get-osinfo", "guest-network-get-interfaces" },
        };
        await using var client = await GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None);

        var info = await client.GetInfoAsync(Timeout, CancellationToken.None);

        Assert.Equal(new GuestInfo(null, "deb1", []), info);
    }

    [Fact]
    public async Task ExecAsync_CommandWithOutputAndExitCode_ReturnsThemAll()
    {
        using var dir = new TempDirectory();
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"));
        await using var client = await GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None);

        var result = await client.ExecAsync("/bin/sh", ["-c", "read x; echo out-$x; echo err >&2; exit 3"], "in\n"u8.ToArray(), Timeout, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Null(result.Signal);
        Assert.Equal("out-in\n", Encoding.UTF8.GetString(result.Stdout));
        Assert.Equal("err\n", Encoding.UTF8.GetString(result.Stderr));
    }

    [Fact]
    public async Task ExecAsync_NoSuchProgram_ThrowsTheAgentsRefusal()
    {
        using var dir = new TempDirectory();
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"));
        await using var client = await GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None);

        var e = await Assert.ThrowsAsync<GuestAgentException>(() => client.ExecAsync("/no/such/program", [], null, Timeout, CancellationToken.None));

        Assert.False(e.NoAnswer);
        Assert.Equal("GenericError", e.ErrorClass);
        Assert.Contains("guest-exec", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShutdownAsync_AgentAcceptsWithoutReply_Returns()
    {
        using var dir = new TempDirectory();
        await using var agent = new FakeGuestAgent(dir.File("qga.sock"));
        await using var client = await GuestAgentClient.ConnectAsync(dir.File("qga.sock"), Timeout, TimeProvider.System, CancellationToken.None);

        await client.ShutdownAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.Equal(1, agent.Shutdowns);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.PingAsync(Timeout, CancellationToken.None));
    }
}
