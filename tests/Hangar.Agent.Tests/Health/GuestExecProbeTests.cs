using Hangar.Agent.Guests;
using Hangar.Agent.Health;
using Hangar.Testing;

namespace Hangar.Agent.Tests.Health;

/// <summary>The <c>exec</c> health check's probe against <see cref="FakeGuestAgent"/>, which runs the command for real.</summary>
public sealed class GuestExecProbeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine("/tmp", "hgp-" + Guid.NewGuid().ToString("N")[..10]);

    public GuestExecProbeTests() => Directory.CreateDirectory(_dir);

    private string Socket => Path.Combine(_dir, "qga.sock");

    [Fact]
    public async Task CheckAsync_CommandExitsZero_Passes()
    {
        await using var agent = new FakeGuestAgent(Socket);
        using var probe = new GuestExecProbe(new GuestAgentLink(Socket, TimeProvider.System), ["/bin/sh", "-c", "exit 0"]);

        var result = await probe.CheckAsync(Timeout, CancellationToken.None);

        Assert.Equal(ProbeResult.Pass("/bin/sh -c exit 0 exited 0"), result);
    }

    [Fact]
    public async Task CheckAsync_CommandFails_FailsWithItsExitCodeAndLastErrorLine()
    {
        await using var agent = new FakeGuestAgent(Socket);
        using var probe = new GuestExecProbe(new GuestAgentLink(Socket, TimeProvider.System), ["/bin/sh", "-c", "echo starting >&2; echo inactive >&2; exit 3"]);

        var result = await probe.CheckAsync(Timeout, CancellationToken.None);

        Assert.False(result.Passed);
        Assert.EndsWith("exited 3: inactive", result.Detail);
    }

    [Fact]
    public async Task CheckAsync_NoGuestAgentAnswers_FailsSayingSo()
    {
        await using var agent = new FakeGuestAgent(Socket, silent: true);
        using var probe = new GuestExecProbe(new GuestAgentLink(Socket, TimeProvider.System), ["/bin/true"]);

        var result = await probe.CheckAsync(Timeout, CancellationToken.None);

        Assert.Equal(ProbeResult.Fail("the guest agent does not answer (is qemu-ga running in the guest?)"), result);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
