using Hangar.State;
using Hangar.State.Sqlite;

namespace Hangar.State.Tests.Sqlite;

public sealed class SqliteStateStoreTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine(Directory.CreateTempSubdirectory("hss-").FullName, "state.db");
    private SqliteStateStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteStateStore.OpenAsync(_path, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_path)!, recursive: true);
    }

    private static NewGeneration Gen(string spec, DateTimeOffset? deadline = null) => new(spec, null, "test", "[]", null, true, deadline);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task OpenAsync_NewDatabase_ItAndItsWalFilesAreOwnerOnly()
    {
        await _store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, CancellationToken.None);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path + "-wal"));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path + "-shm"));
    }

    [Fact]
    public async Task OpenAsync_NewDirectory_IsCreatedOwnerOnly()
    {
        var path = Path.Combine(Path.GetDirectoryName(_path)!, "control-plane", "state.db");

        await using (await SqliteStateStore.OpenAsync(path, CancellationToken.None))
        {
            Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }
    }

    [Fact]
    public async Task OpenAsync_DatabaseOpenToOthers_IsMadePrivateAndKeepsItsData()
    {
        await _store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, CancellationToken.None);
        await _store.DisposeAsync();
        File.SetUnixFileMode(_path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        _store = await SqliteStateStore.OpenAsync(_path, CancellationToken.None);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_path));
        Assert.Equal("{1}", (await _store.GetCurrentGenerationAsync(CancellationToken.None))!.SpecJson);
    }

    [Fact]
    public async Task Commit_MarksPreviousAndAppends()
    {
        await _store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, CancellationToken.None);
        var second = await _store.CommitGenerationAsync(Gen("{2}", DateTimeOffset.UtcNow.AddMinutes(1)), 1, GenerationStatus.Superseded, null, CancellationToken.None);
        Assert.Equal(2, second.Number);
        Assert.Equal(GenerationStatus.RollingOut, second.Status);
        Assert.False(second.Confirmed);
        var all = await _store.ListGenerationsAsync(CancellationToken.None);
        Assert.Equal([GenerationStatus.Superseded, GenerationStatus.RollingOut], all.Select(g => g.Status).ToArray());
    }

    [Fact]
    public async Task Commit_WrongExpectedGeneration_ThrowsAndWritesNothing()
    {
        await _store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, CancellationToken.None);
        var error = await Assert.ThrowsAsync<GenerationConflictException>(() =>
            _store.CommitGenerationAsync(Gen("{2}"), 0, GenerationStatus.Superseded, null, CancellationToken.None));
        Assert.Equal(1, error.Actual);
        Assert.Single(await _store.ListGenerationsAsync(CancellationToken.None));
        Assert.Equal(GenerationStatus.Active, (await _store.GetCurrentGenerationAsync(CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Reopen_KeepsGenerationsEventsAndOperatorState()
    {
        await _store.CommitGenerationAsync(Gen("{1}"), 0, GenerationStatus.Superseded, null, CancellationToken.None);
        await _store.SetVmAdminAsync(new VmAdminRecord("web", false, 3), CancellationToken.None);
        await _store.AppendEventAsync(new EventRecord(0, DateTimeOffset.UtcNow, "k", "web", "m"), CancellationToken.None);
        await _store.SetGenerationStatusAsync(1, GenerationStatus.Failed, "why", confirmed: false, CancellationToken.None);
        await _store.DisposeAsync();
        _store = await SqliteStateStore.OpenAsync(_path, CancellationToken.None);
        var generation = (await _store.GetCurrentGenerationAsync(CancellationToken.None))!;
        Assert.Equal(("{1}", GenerationStatus.Failed, "why"), (generation.SpecJson, generation.Status, generation.Reason));
        Assert.Equal(new VmAdminRecord("web", false, 3), (await _store.GetVmAdminAsync(CancellationToken.None))["web"]);
        Assert.Single(await _store.ListEventsAsync(0, 10, CancellationToken.None));
    }
}
