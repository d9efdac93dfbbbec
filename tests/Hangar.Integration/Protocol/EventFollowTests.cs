using System.Diagnostics;
using Hangar.Agent.Connection;
using Hangar.ControlPlane;
using Hangar.Integration.Support;
using Hangar.Protocol.Api;
using Hangar.Testing;
using Xunit.Abstractions;

namespace Hangar.Integration.Protocol;

/// <summary>
/// Following the events on a real control plane over real HTTP on loopback: <c>GET /api/v1/events?follow=true</c>
/// (through <see cref="HangarClient.FollowEventsAsync"/> and through <c>hangar events --follow</c>) sends what happened
/// before, then each new event as it is recorded, filtered by the server.
/// </summary>
public sealed class EventFollowTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "home-token";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("hevents-").FullName;
    private ControlPlaneServer _server = null!;
    private HangarClient _client = null!;
    private bool _stopped;

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen, Path.Combine(_dir, "state.db"), Token), null, CancellationToken.None);
        _client = new HangarClient(_server.Url, Token);
        await _client.ApplyAsync(new ApplyRequest("fleet.yaml", "vms:\n  web:\n    image: tiny\n  db:\n    image: tiny\n", _dir, null, StartStopped: true), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (!_stopped) await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task FollowEvents_VmAndKindFilter_GetsEarlierEventsThenEachNewOne()
    {
        await _client.VmActionAsync("web", "stop", CancellationToken.None);
        using var cts = new CancellationTokenSource(Wait);
        await using var events = _client.FollowEventsAsync(0, EventFilter.From(["web"], null, ["operator"]), cts.Token).GetAsyncEnumerator(cts.Token);

        // What happened before the stream opened comes first (the apply's generation event is of another kind).
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(("operator", "web", "Stop requested"), (events.Current.Kind, events.Current.Vm, events.Current.Message));

        // Then each new one: db's is another VM's and is not sent; web's arrives.
        for (var i = 0; i < 3; i++)
        {
            await _client.VmActionAsync("db", "start", CancellationToken.None);
            var clock = Stopwatch.StartNew();
            await _client.VmActionAsync("web", i % 2 == 0 ? "start" : "stop", CancellationToken.None);
            Assert.True(await events.MoveNextAsync());
            output.WriteLine($"web's event {i + 1} arrived {clock.Elapsed.TotalMilliseconds:F0} ms after its action was asked for");
            Assert.Equal(("operator", "web", $"{(i % 2 == 0 ? "Start" : "Stop")} requested"), (events.Current.Kind, events.Current.Vm, events.Current.Message));
        }
    }

    [Fact]
    public async Task FollowEvents_AgentFilter_GetsThatAgentsEventsOnly()
    {
        using var cts = new CancellationTokenSource(Wait);
        await using var events = _client.FollowEventsAsync(0, EventFilter.From(null, ["lab2"], null), cts.Token).GetAsyncEnumerator(cts.Token);
        var token = await _client.CreateJoinTokenAsync(new JoinTokenRequest(Uses: 2), CancellationToken.None);

        await AgentJoin.JoinAsync(_server.Url, token.Token, "lab1", null, null, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        await AgentJoin.JoinAsync(_server.Url, token.Token, "lab2", null, null, CancellationToken.None);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(("agent.joined", "lab2"), (events.Current.Kind, events.Current.Agent));
        output.WriteLine($"lab2's join arrived {clock.Elapsed.TotalMilliseconds:F0} ms after it was asked for");
        var page = await _client.EventsAsync(0, EventFilter.From(null, ["lab1,lab2"], ["agent.joined"]), CancellationToken.None);
        Assert.Equal(["lab1", "lab2"], page.Select(e => e.Agent));
    }

    [Fact]
    public async Task FollowEvents_ServerStops_StreamEndsAndDoesNotHoldTheStopUp()
    {
        using var cts = new CancellationTokenSource(Wait);
        await using var events = _client.FollowEventsAsync(0, EventFilter.From(null, null, ["operator"]), cts.Token).GetAsyncEnumerator(cts.Token);
        await _client.VmActionAsync("web", "stop", CancellationToken.None);
        Assert.True(await events.MoveNextAsync());

        var clock = Stopwatch.StartNew();
        await _server.DisposeAsync();
        _stopped = true;

        // Not a speed check: without the stream's end Kestrel waits out its whole shutdown timeout (30 s) for the
        // response; a stop short of that timeout shows the stream let it go.
        output.WriteLine($"the server stopped {clock.Elapsed.TotalMilliseconds:F0} ms after it was asked to");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"The server took {clock.Elapsed} to stop: the follower held it up.");
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task EventsCommand_Follow_PrintsTheFilteredEventAsItHappens()
    {
        var (fileName, prefix) = HangarCommand.Client;
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in prefix.Concat(["events", "--follow", "--vm", "db", "--kind", "operator,vm.started", "--server", _server.Url.ToString()])) psi.ArgumentList.Add(arg);
        foreach (var (key, value) in HangarCommand.Environment(_dir)) psi.Environment[key] = value;
        psi.Environment["HANGAR_TOKEN"] = Token;
        using var process = Process.Start(psi)!;
        try
        {
            var cli = new RunningCli(process);
            await _client.VmActionAsync("db", "stop", CancellationToken.None);
            var printed = await cli.ReadUntilAsync("Stop requested", Wait);
            var clock = Stopwatch.StartNew();
            await _client.VmActionAsync("web", "stop", CancellationToken.None);
            await _client.VmActionAsync("db", "start", CancellationToken.None);
            printed = await cli.ReadUntilAsync("Start requested", TimeSpan.FromSeconds(5));
            output.WriteLine($"printed {clock.Elapsed.TotalMilliseconds:F0} ms after the start:\n{printed}");

            Assert.DoesNotContain("web", printed);
            Assert.Equal(2, printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            process.Kill();
        }
    }
}
