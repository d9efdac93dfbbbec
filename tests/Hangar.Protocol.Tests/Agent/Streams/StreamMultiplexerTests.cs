using System.Text;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Hangar.Testing;

namespace Hangar.Protocol.Tests.Agent.Streams;

/// <summary>The stream relay of the agent protocol on a real loopback WebSocket (<see cref="LoopbackLink"/>).</summary>
public sealed class StreamMultiplexerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Deterministic bytes whose position can be checked: byte i is (i * 31 + i / 251) mod 256.</summary>
    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 31 + i / 251);
        return bytes;
    }

    private static async Task<byte[]> ReadToEndAsync(RelayStream stream)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var all = new MemoryStream();
        while (await stream.ReadAsync(timeout.Token) is { } chunk) all.Write(chunk);
        return all.ToArray();
    }

    [Fact]
    public async Task Log_LargerThanWindowAndChunk_ArrivesWholeInOrderInBoundedFramesThenEnds()
    {
        var log = Pattern(1_000_000);
        await using var link = await LoopbackLink.StartAsync(async (stream, open) =>
        {
            Assert.Equal(("web", StreamKind.Log, 0L, false), (open.Vm, open.Kind, open.Offset, open.Follow));
            await stream.AcceptAsync(CancellationToken.None);
            await stream.WriteAsync(log, CancellationToken.None);
            await stream.CloseAsync(StreamCloseReason.End, "End of the log.");
        }, window: 64 * 1024);

        var opened = await link.ControlPlane.OpenAsync("web", StreamKind.Log, 0, follow: false, CancellationToken.None);
        var received = await ReadToEndAsync(opened);

        Assert.Equal(log, received);
        Assert.Equal((StreamCloseReason.End, "End of the log."), (opened.Closure!.Reason, opened.Closure.Message));
        Assert.InRange(link.LargestChunkToControlPlane, 1, AgentProtocol.MaxStreamChunk);
        Assert.Equal(0, link.ControlPlane.Count);
    }

    [Fact]
    public async Task SlowReader_SenderStopsAtTheWindow_WhileOtherStreamsAndMessagesFlow()
    {
        const int window = 64 * 1024;
        var big = Pattern(4 * 1024 * 1024);
        var written = 0;
        await using var link = await LoopbackLink.StartAsync(async (stream, open) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            var data = open.Vm == "big" ? big : Pattern(300_000);
            // Written piece by piece, so that the count says how much the writer got past WriteAsync.
            for (var at = 0; at < data.Length; at += AgentProtocol.MaxStreamChunk)
            {
                var piece = data.AsMemory(at, Math.Min(AgentProtocol.MaxStreamChunk, data.Length - at));
                await stream.WriteAsync(piece, CancellationToken.None);
                if (open.Vm == "big") Interlocked.Add(ref written, piece.Length);
            }
            await stream.CloseAsync(StreamCloseReason.End, "End of the log.");
        }, window);

        var slow = await link.ControlPlane.OpenAsync("big", StreamKind.Log, 0, follow: false, CancellationToken.None);
        // Nothing reads the slow stream: the agent may send one window and no more. Waiting for the window to fill is
        // waiting for a state, not an event, so it is looked at on a short interval up to a deadline.
        var deadline = DateTime.UtcNow + Timeout;
        while (slow.QueuedBytes < window && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(window, slow.QueuedBytes);

        // Another stream on the same connection goes through whole, and so does a message of the agent protocol sent
        // after the slow stream's data (it arrives after everything the agent had sent before it: one socket, in order).
        var other = await link.ControlPlane.OpenAsync("other", StreamKind.Log, 0, follow: false, CancellationToken.None);
        Assert.Equal(Pattern(300_000), await ReadToEndAsync(other));
        await link.AgentChannel.SendAsync(new HeartbeatMessage { Id = "probe" }, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(Timeout))
            Assert.Equal("probe", (await link.ControlPlaneInbox.Reader.ReadAsync(timeout.Token)).Id);
        Assert.Equal(window, slow.QueuedBytes);
        Assert.Equal(window, Volatile.Read(ref written));

        // Reading grants credit back, and the rest follows.
        Assert.Equal(big, await ReadToEndAsync(slow));
        Assert.Equal(StreamCloseReason.End, slow.Closure!.Reason);
    }

    [Fact]
    public async Task PeerSendingBeyondItsWindow_StreamIsClosedWithOverflowOnBothSides()
    {
        const int window = 32 * 1024;
        var served = new TaskCompletionSource<RelayStream>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var link = await LoopbackLink.StartAsync(async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            served.SetResult(stream);
            try { await Task.Delay(System.Threading.Timeout.Infinite, stream.Closed); }
            catch (OperationCanceledException) { }
        }, window);
        var opened = await link.ControlPlane.OpenAsync("web", StreamKind.Console, 0, follow: false, CancellationToken.None);
        var agentSide = await served.Task.WaitAsync(Timeout);

        // A misbehaving agent: data frames straight on the channel, past the window, without waiting for credit.
        for (var i = 0; i < 4; i++)
            await link.AgentChannel.SendAsync(new StreamDataMessage(opened.Id, new byte[AgentProtocol.MaxStreamChunk]), CancellationToken.None);

        // Nothing is read meanwhile: what the control plane holds of the stream stays within the window it gave.
        await Assert.ThrowsAsync<TaskCanceledException>(() => Task.Delay(Timeout, opened.Closed));
        var received = await ReadToEndAsync(opened);
        Assert.Equal(StreamCloseReason.Overflow, opened.Closure!.Reason);
        Assert.Contains($"window of {window} bytes", opened.Closure.Message);
        Assert.InRange(received.Length, 0, window);
        await Assert.ThrowsAsync<TaskCanceledException>(() => Task.Delay(Timeout, agentSide.Closed));
        Assert.Equal(StreamCloseReason.Overflow, agentSide.Closure!.Reason);
    }

    [Fact]
    public async Task ConsoleSession_BytesGoBothWays_AndAControlPlaneCloseEndsTheAgentSide()
    {
        var agentEnded = new TaskCompletionSource<StreamCloseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var link = await LoopbackLink.StartAsync(async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            // An echo that answers in upper case, standing for the VM's console socket.
            while (await stream.ReadAsync(CancellationToken.None) is { } input)
                await stream.WriteAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(input).ToUpperInvariant()), CancellationToken.None);
            agentEnded.SetResult(stream.Closure!);
        });
        var console = await link.ControlPlane.OpenAsync("web", StreamKind.Console, 0, follow: false, CancellationToken.None);

        await console.WriteAsync("uname\n"u8.ToArray(), CancellationToken.None);
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.Equal("UNAME\n", Encoding.ASCII.GetString((await console.ReadAsync(timeout.Token))!));
        await console.CloseAsync(StreamCloseReason.Closed, "The client detached.");

        var closure = await agentEnded.Task.WaitAsync(Timeout);
        Assert.Equal((StreamCloseReason.Closed, "The client detached."), (closure.Reason, closure.Message));
        await Assert.ThrowsAsync<StreamClosedException>(() => console.WriteAsync("more"u8.ToArray(), CancellationToken.None));
        Assert.Equal(0, link.Agent.Count);
    }

    [Fact]
    public async Task ConsoleSession_AgentSideCloses_ControlPlaneReadsWhatCameFirstThenTheReason()
    {
        await using var link = await LoopbackLink.StartAsync(async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            await stream.WriteAsync("login: "u8.ToArray(), CancellationToken.None);
            await stream.CloseAsync(StreamCloseReason.Closed, "The console of VM web closed; the VM may have stopped.");
        });
        var console = await link.ControlPlane.OpenAsync("web", StreamKind.Console, 0, follow: false, CancellationToken.None);

        Assert.Equal("login: ", Encoding.ASCII.GetString(await ReadToEndAsync(console)));
        Assert.Equal("The console of VM web closed; the VM may have stopped.", console.Closure!.Message);
        Assert.Equal(0, link.ControlPlane.Count);
    }

    [Fact]
    public async Task Open_AgentRefuses_ThrowsWithTheAgentsReason()
    {
        await using var link = await LoopbackLink.StartAsync((stream, open) =>
            stream.CloseAsync(StreamCloseReason.NotFound, $"VM {open.Vm} is not on agent a1."));

        var refused = await Assert.ThrowsAsync<StreamClosedException>(() =>
            link.ControlPlane.OpenAsync("ghost", StreamKind.Console, 0, follow: false, CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal((StreamCloseReason.NotFound, "VM ghost is not on agent a1."), (refused.Reason, refused.Message));
        Assert.Equal(0, link.ControlPlane.Count);
    }

    [Fact]
    public async Task AgentConnectionDrops_OpenStreamsEndWithTheDisconnectMessage_AndNewOpensAreRefused()
    {
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var link = await LoopbackLink.StartAsync(async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            await stream.WriteAsync("booting\n"u8.ToArray(), CancellationToken.None);
            accepted.SetResult();
            try { await Task.Delay(System.Threading.Timeout.Infinite, stream.Closed); }
            catch (OperationCanceledException) { }
        });
        var follow = await link.ControlPlane.OpenAsync("web", StreamKind.Log, 0, follow: true, CancellationToken.None);
        await accepted.Task.WaitAsync(Timeout);

        link.DropAgent();

        Assert.Equal("booting\n", Encoding.ASCII.GetString(await ReadToEndAsync(follow)));
        Assert.Equal((StreamCloseReason.Disconnected, "Agent a1 disconnected."), (follow.Closure!.Reason, follow.Closure.Message));
        var refused = await Assert.ThrowsAsync<StreamClosedException>(() =>
            link.ControlPlane.OpenAsync("web", StreamKind.Log, 0, follow: false, CancellationToken.None));
        Assert.Equal(StreamCloseReason.Disconnected, refused.Reason);
    }

    [Fact]
    public async Task Open_BeyondTheAgentsStreamLimit_IsRefusedWithLimit()
    {
        await using var link = await LoopbackLink.StartAsync(async (stream, _) =>
        {
            await stream.AcceptAsync(CancellationToken.None);
            try { await Task.Delay(System.Threading.Timeout.Infinite, stream.Closed); }
            catch (OperationCanceledException) { }
        });
        var open = new List<RelayStream>();
        for (var i = 0; i < AgentProtocol.MaxStreams; i++)
            open.Add(await link.ControlPlane.OpenAsync("web", StreamKind.Console, 0, follow: false, CancellationToken.None));

        var refused = await Assert.ThrowsAsync<StreamClosedException>(() =>
            link.ControlPlane.OpenAsync("web", StreamKind.Console, 0, follow: false, CancellationToken.None));

        Assert.Equal(StreamCloseReason.Limit, refused.Reason);
        foreach (var stream in open) await stream.CloseAsync(StreamCloseReason.Closed, "done");
    }
}
