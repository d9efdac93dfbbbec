using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Hangar.Qemu.Tests.TestSupport;

namespace Hangar.Qemu.Tests.Qmp;

public sealed class QmpClientTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.File("qmp.sock");

    public void Dispose() => _temp.Dispose();

    private Task<QmpClient> ConnectAsync(QmpClientOptions? options = null) =>
        QmpClient.ConnectAsync(SocketPath, Wait, options ?? QmpClientOptions.Default, CancellationToken.None);

    [Fact]
    public async Task ConnectAsync_QemuGreeting_ReportsVersionAndNegotiatesCapabilitiesFirst()
    {
        await using var server = new FakeQmpServer(SocketPath);

        await using var client = await ConnectAsync();

        Assert.Equal(new QmpGreeting(new QmpVersion(7, 2, 22), "Debian 1:7.2+dfsg-7"), client.Greeting);
        Assert.Equal(["qmp_capabilities"], server.Received.Select(c => c.Command));
    }

    [Fact]
    public async Task ConnectAsync_SocketAppearsLater_RetriesUntilItListens()
    {
        var connecting = ConnectAsync();
        Assert.False(connecting.IsCompleted);

        await using var server = new FakeQmpServer(SocketPath);
        await using var client = await connecting.WaitAsync(Wait);

        Assert.Equal(7, client.Greeting.Version.Major);
    }

    [Fact]
    public async Task ConnectAsync_NoSocketWithinTimeout_ThrowsQmpConnectException()
    {
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<QmpConnectException>(
            () => QmpClient.ConnectAsync(SocketPath, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Equal(SocketPath, error.SocketPath);
        Assert.Contains(SocketPath, error.Message);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), Wait);
    }

    [Fact]
    public async Task ConnectAsync_ServerIsNotQmp_ThrowsQmpConnectExceptionWithInner()
    {
        await using var server = new FakeQmpServer(SocketPath, greeting: """{"hello": "world"}""");

        var error = await Assert.ThrowsAsync<QmpConnectException>(() => ConnectAsync());

        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task BlockResizeAsync_SendsTheDeviceAndTheSizeInBytes()
    {
        await using var server = new FakeQmpServer(SocketPath, call => call.ReplyAsync());
        await using var client = await ConnectAsync();

        await client.BlockResizeAsync("disk0", 512L << 20, CancellationToken.None);

        var call = server.Received.Last();
        Assert.Equal("block_resize", call.Command);
        Assert.Equal("disk0", call.Arguments!.Value.GetProperty("device").GetString());
        Assert.Equal(512L << 20, call.Arguments!.Value.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task ExecuteAsync_Reply_ReturnsItsValueAndEveryCommandHasItsOwnId()
    {
        await using var server = new FakeQmpServer(SocketPath, call => call.ReplyAsync(new { echo = call.Command }));
        await using var client = await ConnectAsync();

        var first = await client.ExecuteAsync("query-one");
        var second = await client.ExecuteAsync("query-two", new System.Text.Json.Nodes.JsonObject { ["flag"] = true });

        Assert.Equal("query-one", first.GetProperty("echo").GetString());
        Assert.Equal("query-two", second.GetProperty("echo").GetString());
        var ids = server.Received.Select(c => c.Id).ToList();
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(server.Received.Last().Arguments!.Value.GetProperty("flag").GetBoolean());
    }

    [Fact]
    public async Task ExecuteAsync_EventsBeforeReplyAndBetweenCommands_DeliversAllInOrder()
    {
        await using var server = new FakeQmpServer(SocketPath, async call =>
        {
            await call.Connection.SendEventAsync("BEFORE_REPLY_" + call.Command, new { n = 1 });
            await call.ReplyAsync();
        });
        await using var client = await ConnectAsync();
        var connection = await server.Connected;

        await client.ExecuteAsync("first");
        await connection.SendEventAsync("BETWEEN");
        await client.ExecuteAsync("second");

        var names = new List<string>();
        for (var i = 0; i < 3; i++) names.Add((await client.Events.ReadAsync().AsTask().WaitAsync(Wait)).Name);
        Assert.Equal(["BEFORE_REPLY_first", "BETWEEN", "BEFORE_REPLY_second"], names);
    }

    [Fact]
    public async Task Events_EventWithDataAndTimestamp_IsParsed()
    {
        await using var server = new FakeQmpServer(SocketPath);
        await using var client = await ConnectAsync();
        var connection = await server.Connected;

        await connection.SendEventAsync("SHUTDOWN", new { guest = true, reason = "guest-shutdown" });
        await connection.SendEventAsync("RESUME");
        var shutdown = await client.Events.ReadAsync().AsTask().WaitAsync(Wait);
        var resume = await client.Events.ReadAsync().AsTask().WaitAsync(Wait);

        Assert.Equal("SHUTDOWN", shutdown.Name);
        Assert.True(shutdown.Data.GetProperty("guest").GetBoolean());
        Assert.Equal("guest-shutdown", shutdown.Data.GetProperty("reason").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddMilliseconds(250), shutdown.Timestamp);
        Assert.Equal(JsonValueKind.Object, resume.Data.ValueKind);
    }

    [Fact]
    public async Task ExecuteAsync_ErrorReply_ThrowsQmpCommandExceptionWithClassAndDescription()
    {
        await using var server = new FakeQmpServer(SocketPath,
            call => call.ErrorAsync("CommandNotFound", $"The command {call.Command} has not been found"));
        await using var client = await ConnectAsync();

        var error = await Assert.ThrowsAsync<QmpCommandException>(() => client.ExecuteAsync("nope"));

        Assert.Equal("nope", error.Command);
        Assert.Equal("CommandNotFound", error.Class);
        Assert.Equal("The command nope has not been found", error.Description);
    }

    [Fact]
    public async Task ExecuteAsync_NoReply_ThrowsQmpTimeoutExceptionNamingTheCommand()
    {
        await using var server = new FakeQmpServer(SocketPath, _ => Task.CompletedTask);
        await using var client = await ConnectAsync();

        var error = await Assert.ThrowsAsync<QmpTimeoutException>(
            () => client.ExecuteAsync("query-hang", timeout: TimeSpan.FromMilliseconds(200)));

        Assert.Equal("query-hang", error.Command);
        Assert.Contains("query-hang", error.Message);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task ExecuteAsync_LateReplyToTimedOutCommand_IsNotTakenForTheNextReply()
    {
        var hung = new ConcurrentQueue<FakeQmpCall>();
        await using var server = new FakeQmpServer(SocketPath, async call =>
        {
            if (call.Command == "slow")
            {
                hung.Enqueue(call);
                return;
            }
            // The late answer to "slow" arrives first, right before this command's own reply.
            if (hung.TryDequeue(out var late)) await late.ReplyAsync(new { who = "slow" });
            await call.ReplyAsync(new { who = call.Command });
        });
        await using var client = await ConnectAsync();

        await Assert.ThrowsAsync<QmpTimeoutException>(() => client.ExecuteAsync("slow", timeout: TimeSpan.FromMilliseconds(200)));
        var reply = await client.ExecuteAsync("fast");

        Assert.Equal("fast", reply.GetProperty("who").GetString());
    }

    [Fact]
    public async Task ExecuteAsync_ServerDisconnectsMidCommand_ThrowsConnectionClosedPromptlyAndCompletionCompletes()
    {
        await using var server = new FakeQmpServer(SocketPath, async call => await call.Connection.DisposeAsync());
        await using var client = await ConnectAsync(new QmpClientOptions { CommandTimeout = TimeSpan.FromSeconds(60) });
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.ExecuteAsync("query-status"));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Took {stopwatch.Elapsed}.");
        Assert.Equal("query-status", error.Command);
        await client.Completion.WaitAsync(Wait);
        Assert.True(client.Events.Completion.IsCompleted);
    }

    [Fact]
    public async Task ExecuteAsync_AfterConnectionClosed_ThrowsConnectionClosedImmediately()
    {
        await using var server = new FakeQmpServer(SocketPath);
        await using var client = await ConnectAsync();
        await (await server.Connected).DisposeAsync();
        await client.Completion.WaitAsync(Wait);

        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.ExecuteAsync("cont"));
    }

    [Fact]
    public async Task ExecuteAsync_ConcurrentCalls_AreSerializedAndEachGetsItsOwnReply()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        await using var server = new FakeQmpServer(SocketPath, call =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            // Reply from another task after a short delay, so that a client that pipelined commands would be
            // caught with several in flight.
            _ = Task.Run(async () =>
            {
                await Task.Delay(5);
                Interlocked.Decrement(ref inFlight);
                await call.ReplyAsync(new { n = call.Arguments!.Value.GetProperty("n").GetInt32() });
            });
            return Task.CompletedTask;
        });
        await using var client = await ConnectAsync();

        var calls = Enumerable.Range(0, 20).Select(n => Task.Run(() => client.ExecuteAsync("echo", new System.Text.Json.Nodes.JsonObject { ["n"] = n }))).ToList();
        var replies = await Task.WhenAll(calls).WaitAsync(Wait);

        Assert.Equal(Enumerable.Range(0, 20), replies.Select(r => r.GetProperty("n").GetInt32()));
        Assert.Equal(1, maxInFlight);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_ThrowsOperationCanceledAndConnectionStaysUsable()
    {
        await using var server = new FakeQmpServer(SocketPath, call => call.Command == "hang" ? Task.CompletedTask : call.ReplyAsync());
        await using var client = await ConnectAsync();
        using var cancel = new CancellationTokenSource();

        var hanging = client.ExecuteAsync("hang", cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
        await client.ExecuteAsync("cont").WaitAsync(Wait);
    }

    [Fact]
    public async Task QueryStatusAsync_Reply_ReturnsRunningAndStatus()
    {
        await using var server = new FakeQmpServer(SocketPath,
            call => call.ReplyAsync(new { status = "prelaunch", singlestep = false, running = false }));
        await using var client = await ConnectAsync();

        Assert.Equal(new QmpStatus(false, "prelaunch"), await client.QueryStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task QuitAsync_ServerClosesInsteadOfReplying_Succeeds()
    {
        await using var server = new FakeQmpServer(SocketPath, async call => await call.Connection.DisposeAsync());
        await using var client = await ConnectAsync();

        await client.QuitAsync(CancellationToken.None).WaitAsync(Wait);

        await client.Completion.WaitAsync(Wait);
    }

    [Fact]
    public async Task DisposeAsync_CommandPending_FailsItAndCompletes()
    {
        await using var server = new FakeQmpServer(SocketPath, _ => Task.CompletedTask);
        var client = await ConnectAsync();
        var pending = client.ExecuteAsync("hang");

        await client.DisposeAsync();

        await Assert.ThrowsAsync<QmpConnectionClosedException>(() => pending.WaitAsync(Wait));
        Assert.True(client.Completion.IsCompleted);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value
               && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
