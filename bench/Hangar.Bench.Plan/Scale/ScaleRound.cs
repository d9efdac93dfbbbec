using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hangar.Agent.Connection;
using Hangar.Client;
using Hangar.Protocol.Api;

namespace Hangar.Bench.Plan.Scale;

/// <summary>The figures of one engine at one fleet size (times in ms, memory in bytes).</summary>
internal sealed class ScaleFigures
{
    public required string Engine;
    public required int Vms, Agents;
    public double JoinMs, ConnectMs;
    public double Plan, Apply, Deliver, Confirm;
    public double PlanChange, ApplyChange, DeliverChange, ConfirmChange;
    public long RssAgents, RssFleet, RssAfterChange, RssPeak;
    public double ServerCpuFresh, ServerCpuChange;
    public List<double> Mutating = [], ReadOne = [], ReadAll = [];
    public int ApiErrors;
    public string? ApiError;
    public long LargestWatchChange;
    public double Reconnect, ServerCpuReconnect, WatchLinesReconnect;
    public string? ReconnectError;
}

/// <summary>
/// One round on a fresh control plane process and a fresh database: join and connect the agents, then plan, apply
/// and roll out a fleet of N VMs, then a change of every 10th VM with API calls timed while it rolls out.
/// </summary>
internal static class ScaleRound
{
    private const int Vcpus = 64;
    private static readonly long HostMemory = 512L << 30; // enough for any bench size: memory never refuses a VM here

    public static async Task<ScaleFigures> RunAsync(string engine, string store, string directory, int n, int agentCount,
        TimeSpan timeout, CancellationToken ct)
    {
        Directory.CreateDirectory(directory);
        var figures = new ScaleFigures { Engine = engine, Vms = n, Agents = agentCount };
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using var server = await ServerProcess.StartAsync(store, directory, token, ct);
        using var client = new HangarClient(server.Url, token);

        // Join like `hangar agent --join-token`: one token for all, one POST /agent/join each, then the WebSocket.
        var t = Stopwatch.GetTimestamp();
        var join = await client.CreateJoinTokenAsync(new JoinTokenRequest(TimeSpan.FromHours(1), agentCount), ct);
        var names = Enumerable.Range(0, agentCount).Select(i => $"agent-{i:D4}").ToArray();
        var credentials = new AgentCredential[agentCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, agentCount), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, c) => credentials[i] = await AgentJoin.JoinAsync(server.Url, join.Token, names[i], null, null, c));
        figures.JoinMs = Ms(t);
        t = Stopwatch.GetTimestamp();
        var agents = new FakeAgent[agentCount];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, agentCount), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                async (i, c) =>
                {
                    agents[i] = await FakeAgent.ConnectAsync(AgentJoin.SocketUrl(server.Url), credentials[i].Credential, names[i], c,
                        Vcpus, HostMemory, measureSizes: false);
                    await agents[i].FirstDesired.WaitAsync(TimeSpan.FromSeconds(120), c);
                });
            figures.ConnectMs = Ms(t);
            figures.RssAgents = server.Memory().Rss;
            await using var watch = await RolloutWatch.StartAsync(client, ct);

            var fresh = new ApplyRequest("fleet.yaml", FleetYaml(n, changed: false), directory, "scale: fresh", StartStopped: true);
            var change = new ApplyRequest("fleet.yaml", FleetYaml(n, changed: true), directory, "scale: every 10th VM's memory", StartStopped: true);

            var cpu = server.CpuSeconds();
            t = Stopwatch.GetTimestamp();
            var plan = await client.PlanAsync(fresh, ct);
            figures.Plan = Ms(t);
            if (plan.Plan.Count != n) throw new InvalidOperationException($"The plan of the fresh fleet has {plan.Plan.Count} entries, not {n}.");
            t = Stopwatch.GetTimestamp();
            var applied = await client.ApplyAsync(fresh, ct);
            figures.Apply = Ms(t);
            var ok = await watch.WaitSucceededAsync(applied.Generation, timeout, ct);
            figures.Confirm = Stopwatch.GetElapsedTime(t, ok).TotalMilliseconds;
            figures.Deliver = Delivered(agents, applied.Generation, t);
            figures.ServerCpuFresh = server.CpuSeconds() - cpu;
            figures.RssFleet = server.Memory().Rss;

            // The change, with the API under load while it rolls out (and for at least 10 s, so that p99 has samples).
            var untouched = Enumerable.Range(0, n).Where(i => i % 10 != 0).Select(VmName).Take(200).ToArray();
            var load = new ApiLoad(server.Url, token, untouched);
            var loadStart = Stopwatch.GetTimestamp();
            try
            {
                cpu = server.CpuSeconds();
                t = Stopwatch.GetTimestamp();
                plan = await client.PlanAsync(change, ct);
                figures.PlanChange = Ms(t);
                t = Stopwatch.GetTimestamp();
                applied = await client.ApplyAsync(change, ct);
                figures.ApplyChange = Ms(t);
                ok = await watch.WaitSucceededAsync(applied.Generation, timeout, ct);
                figures.ConfirmChange = Stopwatch.GetElapsedTime(t, ok).TotalMilliseconds;
                figures.DeliverChange = Delivered(agents, applied.Generation, t);
                figures.ServerCpuChange = server.CpuSeconds() - cpu;
                var rest = TimeSpan.FromSeconds(10) - Stopwatch.GetElapsedTime(loadStart);
                if (rest > TimeSpan.Zero) await Task.Delay(rest, ct); // a bench's measuring window, not a wait for a condition
            }
            finally
            {
                await load.DisposeAsync();
            }
            (figures.Mutating, figures.ReadOne, figures.ReadAll) = (load.Mutating, load.ReadOne, load.ReadAll);
            (figures.ApiErrors, figures.ApiError) = (load.Errors, load.FirstError);
            figures.LargestWatchChange = watch.LargestChangeBytes;
            if (agents.FirstOrDefault(a => a.Failure is not null || a.CloseStatus is not null) is { } failed)
                throw new InvalidOperationException($"Agent {failed.Name}'s connection failed: {failed.CloseStatus} {failed.CloseDescription} {failed.Failure?.Message}");

            // Every agent drops its connection and comes back (a network blip, or the agents' side of a control-plane
            // restart): each reconnect is sent a snapshot of its VMs. Until all of them answered it.
            await Parallel.ForEachAsync(agents, async (agent, _) => await agent.DisposeAsync());
            cpu = server.CpuSeconds();
            var lines = watch.Lines;
            t = Stopwatch.GetTimestamp();
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, agentCount), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                    async (i, c) =>
                    {
                        agents[i] = await FakeAgent.ConnectAsync(AgentJoin.SocketUrl(server.Url), credentials[i].Credential, names[i], c,
                            Vcpus, HostMemory, measureSizes: false);
                        await agents[i].FirstDesired.WaitAsync(timeout, c);
                    });
                figures.Reconnect = Ms(t);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                figures.Reconnect = double.NaN;
                figures.ReconnectError = $"after {Ms(t) / 1000:0} s: {e.GetType().Name}: {e.Message}";
            }
            figures.ServerCpuReconnect = server.CpuSeconds() - cpu;
            figures.WatchLinesReconnect = watch.Lines - lines;
            (figures.RssAfterChange, figures.RssPeak) = server.Memory();
        }
        finally
        {
            await Parallel.ForEachAsync(agents.Where(a => a is not null), async (a, _) => await a.DisposeAsync());
        }
        return figures;
    }

    /// <summary>From the apply call until the last agent that was sent something of that generation had answered it.</summary>
    private static double Delivered(FakeAgent[] agents, long generation, long from)
    {
        var last = agents.Select(a => a.AnsweredGeneration(generation)).Where(x => x is not null).Max();
        return last is { } at ? Stopwatch.GetElapsedTime(from, at).TotalMilliseconds : double.NaN;
    }

    public static string VmName(int i) => "vm-" + i.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The compact fleet of the plan bench: N VMs of the tiny image, 128 MiB (every 10th 192 MiB in the change).</summary>
    public static string FleetYaml(int n, bool changed)
    {
        var text = new StringBuilder(n * 50 + 16);
        text.Append("vms:\n");
        for (var i = 0; i < n; i++)
        {
            text.Append("  ").Append(VmName(i)).Append(":\n");
            text.Append("    image: tiny\n");
            text.Append("    memory: ").Append(changed && i % 10 == 0 ? "192MiB" : "128MiB").Append('\n');
        }
        return text.ToString();
    }

    private static double Ms(long from) => Stopwatch.GetElapsedTime(from).TotalMilliseconds;
}
