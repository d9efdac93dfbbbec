using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Api;
using Hangar.Spec;
using Hangar.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.ControlPlane.Tests.Fleet;

/// <summary>
/// Where plan and apply parse the fleet file (a real SQLite file, no agent): an apply parses before it takes the
/// write lock, so operator actions do not wait for it; a plan's parse is taken by the apply of the same file. Parses
/// are seen (and held) through <see cref="FleetFileParses.Parsing"/>.
/// </summary>
public sealed class ApplyParseTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("hap-").FullName;
    private SqliteStateStore _store = null!;
    private SqliteAgentStore _agentStore = null!;
    private FleetService _fleet = null!;

    public async Task InitializeAsync()
    {
        _store = await SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _agentStore = await SqliteAgentStore.OpenAsync(Path.Combine(_dir, "state.db"), CancellationToken.None);
        _fleet = new FleetService(_store, _agentStore, NullLogger<FleetService>.Instance);
        await _fleet.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _fleet.Parses.Parsing = null;
        await _fleet.DisposeAsync();
        await _store.DisposeAsync();
        await _agentStore.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static ApplyRequest File(string memory, string disk = "1GiB") => new("fleet.yaml", $"""
        vms:
          web:
            image: tiny
            memory: {memory}
          db:
            image: tiny
            memory: 128MiB
            disk: {disk}
        """, null, null, false);

    /// <summary>Holds the first parse that begins after it is set until <see cref="Release"/>.</summary>
    private sealed class HeldParse
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();
        private int _parses;

        public int Parses => Volatile.Read(ref _parses);
        public Task Entered => _entered.Task;

        public void OnParse(ApplyRequest request)
        {
            if (Interlocked.Increment(ref _parses) != 1) return;
            _entered.SetResult();
            _release.Wait(Deadline);
        }

        public void Release() => _release.Set();
    }

    [Fact]
    public async Task VmStop_WhileAnApplyParses_CompletesBeforeTheParseEnds()
    {
        await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        var held = new HeldParse();
        _fleet.Parses.Parsing = held.OnParse;
        var apply = Task.Run(() => _fleet.ApplyAsync(File("192MiB"), CancellationToken.None));
        try
        {
            await held.Entered.WaitAsync(Deadline);

            var stopped = await _fleet.SetVmAsync("db", VmOperation.Stop, CancellationToken.None).WaitAsync(Deadline);

            Assert.False(apply.IsCompleted);
            Assert.Equal(("db", false), (stopped.Name, stopped.DesiredRunning));
        }
        finally
        {
            held.Release();
        }
        var applied = await apply.WaitAsync(Deadline);
        Assert.Equal((true, 2L), (applied.Changed, applied.Generation));
        Assert.Equal(1, held.Parses);
    }

    [Fact]
    public async Task Apply_GenerationCommittedWhileItParsed_ParsesAgainAgainstTheNewGeneration()
    {
        await _fleet.ApplyAsync(File("128MiB", disk: "1GiB"), CancellationToken.None);
        var held = new HeldParse();
        _fleet.Parses.Parsing = held.OnParse;
        // Parsed against generation 1 (disk 1 GiB: growing to 2 GiB is allowed), then generation 2 grows it to 4 GiB:
        // against that, 2 GiB shrinks the disk and is refused.
        var apply = Task.Run(() => _fleet.ApplyAsync(File("128MiB", disk: "2GiB"), CancellationToken.None));
        try
        {
            await held.Entered.WaitAsync(Deadline);
            var between = await _fleet.ApplyAsync(File("128MiB", disk: "4GiB"), CancellationToken.None).WaitAsync(Deadline);
            Assert.Equal(2, between.Generation);
        }
        finally
        {
            held.Release();
        }

        var refused = await Assert.ThrowsAsync<SpecRejectedException>(() => apply.WaitAsync(Deadline));
        Assert.Contains(refused.Errors, e => e.Message.Contains("shrink", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(3, held.Parses); // the held one, the one between, and the held one's again under the lock
        Assert.Equal(2, (await _store.ListGenerationsAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Apply_AfterThePlanOfTheSameFile_TakesThePlansParse()
    {
        var parses = 0;
        _fleet.Parses.Parsing = _ => Interlocked.Increment(ref parses);

        _fleet.Plan(File("128MiB"));
        var first = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);
        var second = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);

        Assert.Equal((true, false), (first.Changed, second.Changed));
        Assert.Equal(2, parses); // the plan's (taken by the first apply) and the second apply's
    }

    [Fact]
    public async Task Apply_AfterThePlanOfAnotherFile_ParsesItsOwn()
    {
        var parses = 0;
        _fleet.Parses.Parsing = _ => Interlocked.Increment(ref parses);

        _fleet.Plan(File("160MiB"));
        var applied = await _fleet.ApplyAsync(File("128MiB"), CancellationToken.None);

        Assert.Equal(2, parses);
        Assert.StartsWith("128", _fleet.Status().Vms.Single(v => v.Name == "web").Memory);
        Assert.True(applied.Changed);
    }

    [Fact]
    public async Task Apply_SameFileWithASecretSetAgainSinceThePlan_ParsesItsOwnAndStoresTheNewCiphertext()
    {
        var parses = 0;
        _fleet.Parses.Parsing = _ => Interlocked.Increment(ref parses);
        const string Text = "vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: api-key}\n";
        static ApplyRequest WithSecret(string ciphertext) => new("fleet.yaml", Text, null, null, false,
            Secrets: new Dictionary<string, string> { ["api-key"] = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("age-encryption.org/v1\n" + ciphertext)) });

        _fleet.Plan(WithSecret("before"));
        await _fleet.ApplyAsync(WithSecret("after"), CancellationToken.None);

        Assert.Equal(2, parses);
        var stored = FleetJson.Deserialize((await _store.GetGenerationAsync(1, CancellationToken.None))!.SpecJson);
        Assert.Equal(WithSecret("after").Secrets!["api-key"], stored.Vms.Single().Credentials!.Value.Single().Ciphertext);
    }
}
