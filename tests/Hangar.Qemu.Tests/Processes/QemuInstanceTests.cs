using System.Diagnostics;
using Hangar.Qemu.Tests.Qmp;
using Hangar.Qemu.Tests.TestSupport;

namespace Hangar.Qemu.Tests.Processes;

/// <summary>
/// QemuInstance against the fake QMP server, with a `sleep` process standing in for QEMU's pid: covers the
/// guest power-off that a QEMU without a guest OS cannot produce. Like a real QEMU, the fake closes its QMP
/// connection when the stand-in process dies.
/// </summary>
public sealed class QemuInstanceTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly QemuInstanceOptions Options = new() { ExitGrace = TimeSpan.FromMilliseconds(500) };
    private readonly TempDirectory _temp = new();
    private readonly Process _standIn = Process.Start("sleep", "60");

    private QemuRuntimePaths Paths => QemuRuntimePaths.For(_temp.Path, _temp.File("serial.log"));

    private QemuProcessIdentity Identity => QemuProcessIdentity.Read(_standIn.Id)!;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (!_standIn.HasExited) _standIn.Kill();
        _standIn.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Closes the server side of QMP when the stand-in dies, as the kernel does for a dying QEMU.</summary>
    private void CloseQmpWhenStandInExits(FakeQmpServer server)
    {
        _standIn.EnableRaisingEvents = true;
        _standIn.Exited += (_, _) => _ = server.Connected.ContinueWith(c => c.Result.DisposeAsync().AsTask()).Unwrap();
        if (_standIn.HasExited) _ = server.Connected.ContinueWith(c => c.Result.DisposeAsync().AsTask()).Unwrap();
    }

    [Fact]
    public async Task StopAsync_GuestShutsDownOnPowerdown_GracefulAndExitedAsGuestShutdown()
    {
        await using var server = new FakeQmpServer(Paths.QmpSocket, async call =>
        {
            await call.ReplyAsync();
            if (call.Command != "system_powerdown") return;
            await call.Connection.SendEventAsync("POWERDOWN");
            await call.Connection.SendEventAsync("SHUTDOWN", new { guest = true, reason = "guest-shutdown" });
            _standIn.Kill();
        });
        CloseQmpWhenStandInExits(server);
        await using var instance = await QemuInstance.AttachAsync(Paths, Identity, Options, CancellationToken.None);

        var outcome = await instance.StopAsync(TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(QemuStopOutcome.Graceful, outcome);
        Assert.Equal(new QemuExit(true, "guest-shutdown"), await instance.Exited.WaitAsync(Wait));
        Assert.DoesNotContain(server.Received, c => c.Command == "quit");
    }

    [Fact]
    public async Task StopAsync_QemuIgnoresQuit_KillsItAfterTheGrace()
    {
        await using var server = new FakeQmpServer(Paths.QmpSocket);
        CloseQmpWhenStandInExits(server);
        await using var instance = await QemuInstance.AttachAsync(Paths, Identity, Options, CancellationToken.None);

        var outcome = await instance.StopAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None).WaitAsync(Wait);

        Assert.Equal(QemuStopOutcome.Killed, outcome);
        Assert.Equal(["qmp_capabilities", "system_powerdown", "quit"], server.Received.Select(c => c.Command));
        Assert.Equal(new QemuExit(false, null), await instance.Exited.WaitAsync(Wait));
        Assert.Equal(128 + 9, _standIn.ExitCode);
    }

    [Fact]
    public async Task Events_QmpEvents_AreForwarded()
    {
        await using var server = new FakeQmpServer(Paths.QmpSocket);
        await using var instance = await QemuInstance.AttachAsync(Paths, Identity, Options, CancellationToken.None);

        await (await server.Connected).SendEventAsync("RESUME");

        Assert.Equal("RESUME", (await instance.Events.ReadAsync().AsTask().WaitAsync(Wait)).Name);
    }

    [Fact]
    public async Task DisposeAsync_ProcessStillRunning_CancelsExitedAndLeavesItRunning()
    {
        await using var server = new FakeQmpServer(Paths.QmpSocket);
        var instance = await QemuInstance.AttachAsync(Paths, Identity, Options, CancellationToken.None);

        await instance.DisposeAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => instance.Exited.WaitAsync(Wait));
        Assert.True(Identity.IsAlive());
    }

    [Fact]
    public async Task AttachAsync_RecycledPid_ThrowsQemuNotRunning()
    {
        var stale = Identity with { StartTime = Identity.StartTime + 1 };

        var error = await Assert.ThrowsAsync<QemuNotRunningException>(
            () => QemuInstance.AttachAsync(Paths, stale, Options, CancellationToken.None));

        Assert.Equal(stale, error.Process);
    }
}
