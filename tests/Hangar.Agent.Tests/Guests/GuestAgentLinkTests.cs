using Hangar.Agent.Guests;
using Hangar.Protocol.Agent;
using Hangar.Testing;

namespace Hangar.Agent.Tests.Guests;

/// <summary>A VM's guest agent as the agent uses it, against <see cref="FakeGuestAgent"/> on a real unix socket.</summary>
public sealed class GuestAgentLinkTests : IDisposable
{
    private readonly string _dir = Path.Combine("/tmp", "hga-" + Guid.NewGuid().ToString("N")[..10]);

    public GuestAgentLinkTests() => Directory.CreateDirectory(_dir);

    private string Socket => Path.Combine(_dir, "qga.sock");

    [Fact]
    public async Task WatchAsync_AgentAnswers_ReportsTheGuestAndSaysItChanged()
    {
        await using var agent = new FakeGuestAgent(Socket);
        var link = new GuestAgentLink(Socket, TimeProvider.System);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        var watch = link.WatchAsync(() => changed.TrySetResult(), stop.Token);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await watch;

        Assert.Equal(new ObservedGuest("Debian GNU/Linux 12 (bookworm)", "deb1", ["10.0.2.15/24", "fec0::5054:ff:fe12:3456/64"]), link.Guest);
    }

    [Fact]
    public async Task TryShutdownAsync_AgentAnswers_AsksForAPowerdownAndReturnsTrue()
    {
        await using var agent = new FakeGuestAgent(Socket);
        var link = new GuestAgentLink(Socket, TimeProvider.System);

        Assert.True(await link.TryShutdownAsync(CancellationToken.None));
        Assert.Equal(1, agent.Shutdowns);
    }

    [Fact]
    public async Task TryShutdownAsync_NoAgentInTheGuest_ReturnsFalseSoACPIIsUsed()
    {
        await using var agent = new FakeGuestAgent(Socket, silent: true);
        var link = new GuestAgentLink(Socket, TimeProvider.System);

        Assert.False(await link.TryShutdownAsync(CancellationToken.None));
        Assert.Equal(0, agent.Shutdowns);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
