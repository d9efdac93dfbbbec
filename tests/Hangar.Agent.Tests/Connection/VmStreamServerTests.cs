using System.Net.Sockets;
using System.Text;
using Hangar.Agent.Connection;
using Hangar.Agent.Tests.Vms;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Hangar.Protocol.Agent.Wire;
using Hangar.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests.Connection;

/// <summary>
/// The agent's side of the log and console relay, on a real loopback WebSocket (<see cref="LoopbackLink"/>), a real
/// serial log file and a real Unix socket standing for QEMU's console, with the fake VM driver.
/// </summary>
public sealed class VmStreamServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly SupervisorHarness _vms = new();
    private Reconciler _reconciler = null!;
    private LoopbackLink _link = null!;

    public async Task InitializeAsync()
    {
        _reconciler = new Reconciler(_vms.Options, _vms.Driver, NullLoggerFactory.Instance);
        var server = new VmStreamServer(_vms.Options, _reconciler, NullLogger<VmStreamServer>.Instance);
        _link = await LoopbackLink.StartAsync(server.ServeAsync);
        _reconciler.Apply(new DesiredStateMessage(1, 1,
        [
            WireMapping.ToWire(new DesiredVm(TestVm(name: "web"), null, true, 0)),
            WireMapping.ToWire(new DesiredVm(TestVm(name: "idle"), null, false, 0)),
        ], PurgeRemoved: false));
        var deadline = DateTime.UtcNow + Timeout;
        // The fake driver starts the VM on the reconciler's own tasks; its phase is a state to look at, not an event here.
        while (_reconciler.Find("web")?.Phase != VmPhase.Running && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(VmPhase.Running, _reconciler.Find("web")?.Phase);
    }

    public async Task DisposeAsync()
    {
        await _link.DisposeAsync();
        await _reconciler.DisposeAsync();
        await _vms.DisposeAsync();
    }

    private string SerialLog(string vm)
    {
        var path = VmPaths.For(_vms.Options, vm).SerialLog;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private static async Task<string> ReadToEndAsync(RelayStream stream)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var text = new StringBuilder();
        while (await stream.ReadAsync(timeout.Token) is { } chunk) text.Append(Encoding.UTF8.GetString(chunk));
        return text.ToString();
    }

    [Fact]
    public async Task Log_OfItsVm_IsReadFromTheOffsetToTheEndOfItsOwnSerialLog()
    {
        await File.WriteAllTextAsync(SerialLog("web"), "line one\nline two\n");

        var stream = await _link.ControlPlane.OpenAsync("web", StreamKind.Log, offset: 9, follow: false, CancellationToken.None);

        Assert.Equal("line two\n", await ReadToEndAsync(stream));
        Assert.Equal(StreamCloseReason.End, stream.Closure!.Reason);
    }

    [Fact]
    public async Task Log_Followed_SendsWhatIsAppendedUntilClosed()
    {
        var path = SerialLog("web");
        await File.WriteAllTextAsync(path, "boot\n");
        var stream = await _link.ControlPlane.OpenAsync("web", StreamKind.Log, 0, follow: true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.Equal("boot\n", Encoding.UTF8.GetString((await stream.ReadAsync(timeout.Token))!));

        await File.AppendAllTextAsync(path, "later\n");

        Assert.Equal("later\n", Encoding.UTF8.GetString((await stream.ReadAsync(timeout.Token))!));
        await stream.CloseAsync(StreamCloseReason.Closed, "The client stopped reading the log.");
        Assert.Equal(0, _link.ControlPlane.Count);
    }

    [Fact]
    public async Task Log_Followed_EndsWhenTheVmLeavesTheAgent()
    {
        await File.WriteAllTextAsync(SerialLog("idle"), "stopped long ago\n");
        var stream = await _link.ControlPlane.OpenAsync("idle", StreamKind.Log, 0, follow: true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.Equal("stopped long ago\n", Encoding.UTF8.GetString((await stream.ReadAsync(timeout.Token))!));

        _reconciler.Apply(new DesiredStateMessage(2, 2, [WireMapping.ToWire(new DesiredVm(TestVm(name: "web"), null, true, 0))], PurgeRemoved: false));

        Assert.Null(await stream.ReadAsync(timeout.Token));
        Assert.Equal((StreamCloseReason.End, "VM idle left agent test; its log here ends."), (stream.Closure!.Reason, stream.Closure.Message));
    }

    [Theory]
    [InlineData("ghost")]
    [InlineData("../../../etc")]
    [InlineData("/etc/passwd")]
    public async Task Open_VmItDoesNotSupervise_IsRefusedAndNoPathIsOpened(string vm)
    {
        var refused = await Assert.ThrowsAsync<StreamClosedException>(() =>
            _link.ControlPlane.OpenAsync(vm, StreamKind.Log, 0, follow: false, CancellationToken.None));

        Assert.Equal((StreamCloseReason.NotFound, $"VM {vm} is not on agent test."), (refused.Reason, refused.Message));
    }

    [Fact]
    public async Task Console_OfAStoppedVm_IsRefusedAsNotRunning()
    {
        var refused = await Assert.ThrowsAsync<StreamClosedException>(() =>
            _link.ControlPlane.OpenAsync("idle", StreamKind.Console, 0, follow: false, CancellationToken.None));

        Assert.Equal(StreamCloseReason.NotRunning, refused.Reason);
        Assert.StartsWith("VM idle is not running", refused.Message);
    }

    [Fact]
    public async Task Console_OfItsRunningVm_RelaysBothWaysThroughItsConsoleSocket_AndEndsWhenTheSocketCloses()
    {
        var socketPath = VmPaths.For(_vms.Options, "web").Runtime.ConsoleSocket;
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        File.Delete(socketPath);
        using var qemu = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        qemu.Bind(new UnixDomainSocketEndPoint(socketPath));
        qemu.Listen(1);
        var accepted = qemu.AcceptAsync();

        var console = await _link.ControlPlane.OpenAsync("web", StreamKind.Console, 0, follow: false, CancellationToken.None);
        using var guest = await accepted.WaitAsync(Timeout);
        await console.WriteAsync("uname\n"u8.ToArray(), CancellationToken.None);
        var buffer = new byte[64];
        var read = await guest.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Timeout);
        Assert.Equal("uname\n", Encoding.ASCII.GetString(buffer, 0, read));
        await guest.SendAsync("Linux\n"u8.ToArray(), SocketFlags.None);
        guest.Shutdown(SocketShutdown.Both);
        guest.Close();

        Assert.Equal("Linux\n", await ReadToEndAsync(console));
        Assert.Equal((StreamCloseReason.Closed, "The console of VM web closed; the VM may have stopped."), (console.Closure!.Reason, console.Closure.Message));
    }
}
