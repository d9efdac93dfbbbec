using System.Net.Sockets;
using System.Text.Json;
using Hangar.Agent.Vms;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Hangar.Qemu;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent.Connection;

/// <summary>
/// Serves the streams the control plane opens on this agent's connection: a VM's serial log, its console, and commands run
/// in its guest through the guest agent. It opens
/// only the files and sockets of a VM this agent supervises, at the paths it derives from its own home and runtime
/// directory (<see cref="VmPaths"/>); the control plane names a VM, never a path.
/// </summary>
public sealed partial class VmStreamServer(AgentOptions options, Reconciler reconciler, ILogger<VmStreamServer> logger)
{
    // QEMU's chardev log file gives no notification of growth; a followed log is read again on this interval
    // (the health check's serial watcher polls for the same reason).
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Serves <paramref name="stream"/> until it ends; for <see cref="StreamMultiplexer.Accept"/>.</summary>
    public Task ServeAsync(RelayStream stream, StreamOpenMessage open)
    {
        if (reconciler.Find(open.Vm) is not { } vm)
            return stream.CloseAsync(StreamCloseReason.NotFound, $"VM {open.Vm} is not on agent {options.Name}.");
        Log.StreamOpened(logger, open.Kind, open.Vm, stream.Id);
        var paths = VmPaths.For(options, vm.Name);
        return open.Kind switch
        {
            StreamKind.Log => ServeLogAsync(stream, vm.Name, paths.SerialLog, open.Offset, open.Follow),
            StreamKind.Console => ServeConsoleAsync(stream, vm, paths.Runtime.ConsoleSocket),
            StreamKind.Exec => ServeExecAsync(stream, vm, open.Exec),
            StreamKind.Balloon => ServeBalloonAsync(stream, vm, open.Balloon),
            _ => stream.CloseAsync(StreamCloseReason.Failed, $"This agent does not serve '{open.Kind}' streams."),
        };
    }

    private async Task ServeExecAsync(RelayStream stream, ObservedVm vm, GuestExecRequest? exec)
    {
        if (exec is not { Command.Count: > 0 })
        {
            await stream.CloseAsync(StreamCloseReason.Failed, "An exec stream must name a command.");
            return;
        }
        if (vm.Phase is not VmPhase.Running || reconciler.GuestAgentOf(vm.Name) is not { } guestAgent)
        {
            await stream.CloseAsync(StreamCloseReason.NotRunning, $"VM {vm.Name} is not running ({vm.Phase.ToString().ToLowerInvariant()}).");
            return;
        }
        var ct = stream.Closed;
        GuestExecResult result;
        try
        {
            result = await guestAgent.ExecAsync(exec.Command, exec.Input, TimeSpan.FromSeconds(exec.TimeoutSeconds), ct);
        }
        catch (GuestAgentException e)
        {
            await stream.CloseAsync(e.NoAnswer ? StreamCloseReason.Unreachable : StreamCloseReason.Failed,
                e.NoAnswer ? $"The guest agent of VM {vm.Name} does not answer: {e.Message}" : e.Message);
            return;
        }
        Log.Exec(logger, vm.Name, exec.Command[0], result.ExitCode);
        await stream.AcceptAsync(ct);
        var outcome = new GuestExecOutcome(result.ExitCode, result.Signal, result.Stdout, result.Stderr);
        await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(outcome, AgentJsonContext.Default.GuestExecOutcome), ct);
        await stream.CloseAsync(StreamCloseReason.End, "The command ended.");
    }

    private async Task ServeBalloonAsync(RelayStream stream, ObservedVm vm, BalloonRequest? request)
    {
        if (request is null)
        {
            await stream.CloseAsync(StreamCloseReason.Failed, "A balloon stream must say what to do (balloon: {target: BYTES} or {}).");
            return;
        }
        if (vm.Phase is not VmPhase.Running || reconciler.HandleOf(vm.Name) is not { } handle)
        {
            await stream.CloseAsync(StreamCloseReason.NotRunning, $"VM {vm.Name} is not running ({vm.Phase.ToString().ToLowerInvariant()}).");
            return;
        }
        var ct = stream.Closed;
        long actual;
        try
        {
            actual = await handle.BalloonAsync(request.TargetBytes, ct);
        }
        catch (Exception e) when (e is NotSupportedException or QemuException)
        {
            await stream.CloseAsync(StreamCloseReason.Failed, $"VM {vm.Name}: {e.Message}");
            return;
        }
        if (request.TargetBytes is { } target) Log.Balloon(logger, vm.Name, target, actual);
        await stream.AcceptAsync(ct);
        await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new BalloonOutcome(actual, request.TargetBytes), AgentJsonContext.Default.BalloonOutcome), ct);
        await stream.CloseAsync(StreamCloseReason.End, "The balloon answered.");
    }

    private async Task ServeLogAsync(RelayStream stream, string vm, string path, long offset, bool follow)
    {
        var ct = stream.Closed;
        await stream.AcceptAsync(ct);
        var position = Math.Max(0, offset);
        var buffer = new byte[AgentProtocol.MaxStreamChunk];
        try
        {
            while (true)
            {
                if (File.Exists(path))
                {
                    await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    // A log that shrank was recreated (a purged and re-created VM): follow it from its start.
                    if (follow && file.Length < position) position = 0;
                    file.Position = position;
                    int read;
                    while ((read = await file.ReadAsync(buffer, ct)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, read), ct);
                        position += read;
                    }
                }
                if (!follow)
                {
                    await stream.CloseAsync(StreamCloseReason.End, "End of the log.");
                    return;
                }
                if (reconciler.Find(vm) is null)
                {
                    // Removed from this agent (or moved away): its log here ends; a new one starts wherever it runs next.
                    await stream.CloseAsync(StreamCloseReason.End, $"VM {vm} left agent {options.Name}; its log here ends.");
                    return;
                }
                await Task.Delay(FollowInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (StreamClosedException)
        {
        }
        catch (IOException e)
        {
            await stream.CloseAsync(StreamCloseReason.Failed, $"Reading the serial log failed: {e.Message}");
        }
    }

    private async Task ServeConsoleAsync(RelayStream stream, ObservedVm vm, string socketPath)
    {
        if (vm.Pid is null || vm.Phase is not (VmPhase.Running or VmPhase.Starting))
        {
            await stream.CloseAsync(StreamCloseReason.NotRunning, $"VM {vm.Name} is not running ({vm.Phase.ToString().ToLowerInvariant()}).");
            return;
        }
        var ct = stream.Closed;
        using var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await unix.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
        }
        catch (SocketException e)
        {
            await stream.CloseAsync(StreamCloseReason.Unreachable, $"The console of VM {vm.Name} cannot be reached ({e.SocketErrorCode}); it may be stopping.");
            return;
        }
        await stream.AcceptAsync(ct);
        // Console output goes out only as fast as the control plane grants credit: while it does not, this loop does
        // not read the socket, so a slow client holds back the guest's console, never this agent's memory.
        var fromVm = Task.Run(async () =>
        {
            var buffer = new byte[AgentProtocol.MaxStreamChunk];
            int read;
            while ((read = await unix.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                await stream.WriteAsync(buffer.AsMemory(0, read), ct);
            await stream.CloseAsync(StreamCloseReason.Closed, $"The console of VM {vm.Name} closed; the VM may have stopped.");
        }, CancellationToken.None);
        var toVm = Task.Run(async () =>
        {
            while (await stream.ReadAsync(CancellationToken.None) is { } input)
                await unix.SendAsync(input, SocketFlags.None, ct);
        }, CancellationToken.None);
        var first = await Task.WhenAny(fromVm, toVm);
        if (first.IsFaulted && first.Exception?.InnerException is SocketException failure)
            await stream.CloseAsync(StreamCloseReason.Failed, $"The console of VM {vm.Name} failed ({failure.SocketErrorCode}).");
        else if (first == toVm)
            await stream.CloseAsync(StreamCloseReason.Closed, "The console session ended.");
        try { await Task.WhenAll(fromVm, toVm); }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or StreamClosedException or ObjectDisposedException) { }
        Log.StreamEnded(logger, StreamKind.Console, vm.Name, stream.Id, stream.Closure?.Message ?? "");
    }
}
