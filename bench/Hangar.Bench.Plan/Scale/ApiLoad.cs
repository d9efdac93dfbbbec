using System.Diagnostics;
using Hangar.Client;

namespace Hangar.Bench.Plan.Scale;

/// <summary>
/// API calls made while the fleet is live, each timed from the call to its answer: a mutating call (<c>vm stop</c>
/// then <c>vm start</c> of the same VM, alternating over VMs the measured change does not touch) and a read of one VM
/// (<c>GET /api/v1/vms/NAME</c>) 50 times a second, each on its own connection; and the whole status (<c>vm list</c>) once a second, as
/// a terminal refreshing it would.
/// </summary>
internal sealed class ApiLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public List<double> Mutating { get; } = [];
    public List<double> ReadOne { get; } = [];
    public List<double> ReadAll { get; } = [];
    public int Errors { get; private set; }
    public string? FirstError { get; private set; }

    public ApiLoad(Uri url, string token, IReadOnlyList<string> vms)
    {
        var ct = _stop.Token;
        _loops.Add(Task.Run(async () =>
        {
            using var client = new HangarClient(url, token);
            for (var i = 0; !ct.IsCancellationRequested; i++)
            {
                var vm = vms[i / 2 % vms.Count];
                await TimeAsync(Mutating, () => client.VmActionAsync(vm, i % 2 == 0 ? "stop" : "start", ct));
            }
        }));
        _loops.Add(Task.Run(async () =>
        {
            // GET /api/v1/vms/{name}: HangarClient has no call of its own for it (the CLI's `vm show` reads the list).
            using var http = new HttpClient { BaseAddress = url };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            // 50 a second: back to back, this loop alone took a core of the two (60,000 reads in 10 s at 1,000 VMs).
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            for (var i = 0; await Tick(timer, ct); i++)
            {
                var vm = vms[i % vms.Count];
                await TimeAsync(ReadOne, async () =>
                {
                    using var response = await http.GetAsync($"api/v1/vms/{Uri.EscapeDataString(vm)}", ct);
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadAsByteArrayAsync(ct);
                });
            }
        }));
        _loops.Add(Task.Run(async () =>
        {
            using var client = new HangarClient(url, token);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do await TimeAsync(ReadAll, () => client.GetFleetAsync(ct));
            while (await Tick(timer, ct));
        }));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    private async Task TimeAsync<T>(List<double> into, Func<Task<T>> call)
    {
        var t = Stopwatch.GetTimestamp();
        try
        {
            await call();
            lock (into) into.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is ApiException or HttpRequestException)
        {
            Errors++;
            FirstError ??= e.Message;
        }
    }

    /// <summary>Stops the calls; a call in flight is cancelled and not counted.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var loop in _loops)
        {
            try { await loop; } catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
