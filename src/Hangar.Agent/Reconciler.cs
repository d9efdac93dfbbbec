using System.Text.Json;
using Hangar.Agent.Images;
using Hangar.Agent.Vms;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent;

/// <summary>
/// The agent's desired state and one <see cref="VmSupervisor"/> per VM in it. The desired state is written to disk
/// before it is acted on, so that an agent that restarts (or cannot reach its control plane) keeps running it.
/// </summary>
public sealed partial class Reconciler : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly IVmDriver _driver;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Dictionary<string, VmSupervisor> _supervisors = new(StringComparer.Ordinal);
    private readonly List<VmSupervisor> _leaving = [];
    private readonly Lock _gate = new();
    private DesiredStateMessage _desired = new(0, 0, [], false);
    private readonly Dictionary<string, ObservedOrphan> _orphans = new(StringComparer.Ordinal);
    private bool _applied; // a desired state was applied (loaded from disk or received): orphans can be told apart
    private long _diskGcHandled;
    private DiskGcReport? _diskGc;

    public Reconciler(AgentOptions options, IVmDriver driver, ILoggerFactory loggers)
    {
        _options = options;
        _driver = driver;
        _loggers = loggers;
        _logger = loggers.CreateLogger<Reconciler>();
    }

    /// <summary>Raised (on any thread) whenever something a snapshot would show may have changed.</summary>
    public event Action? Changed;

    public long Generation { get { lock (_gate) return _desired.Generation; } }

    /// <summary>Loads the desired state kept on disk and starts supervising it (adopting VMs that still run).</summary>
    public void Start()
    {
        if (LoadDesired() is { } desired)
        {
            Log.Resuming(_logger, desired.Generation, desired.Vms.Count);
            // A collection request kept on disk was handled before this agent stopped; it must not delete disks kept since.
            lock (_gate) _diskGcHandled = desired.DiskGc;
            Apply(desired);
        }
    }

    /// <summary>The whole desired state the agent runs (as last applied, or loaded from disk).</summary>
    public DesiredStateMessage Desired { get { lock (_gate) return _desired; } }

    /// <summary>
    /// Makes <paramref name="desired"/> the state to run: persists it, then updates the supervisors of the VMs in
    /// <paramref name="changed"/> (a delta's; null after a snapshot: every VM), so a VM a delta did not touch keeps the
    /// revision it reached and reports nothing new.
    /// </summary>
    public void Apply(DesiredStateMessage desired, IReadOnlySet<string>? changed = null)
    {
        SaveDesired(desired);
        lock (_gate)
        {
            _desired = desired;
            _applied = true;
            // The agent's edge of the protocol: from here on the supervisors work on the fleet file's records.
            var wanted = desired.Vms.Select(WireMapping.FromWire).ToDictionary(v => v.Spec.Name, StringComparer.Ordinal);
            foreach (var (name, supervisor) in _supervisors.ToList())
            {
                if (wanted.ContainsKey(name)) continue;
                supervisor.Update(null, desired.Generation, desired.Revision, desired.PurgeRemoved);
                _supervisors.Remove(name);
                _leaving.Add(supervisor);
                _ = supervisor.Completion.ContinueWith(_ => OnLeft(supervisor), TaskScheduler.Default);
            }
            // A purge reaches the VMs still stopping from an earlier removal; one that has left meanwhile is no longer
            // leaving, so the collection below deletes its files.
            if (desired.PurgeRemoved)
                foreach (var supervisor in _leaving.Where(s => !wanted.ContainsKey(s.Name)).ToList())
                    if (!supervisor.Update(null, desired.Generation, desired.Revision, purge: true)) _leaving.Remove(supervisor);
            foreach (var (name, vm) in wanted)
            {
                if (_supervisors.TryGetValue(name, out var supervisor))
                {
                    if (changed is null || changed.Contains(name)) supervisor.Update(vm, desired.Generation, desired.Revision, purge: false);
                }
                else
                    _supervisors[name] = new VmSupervisor(name, vm, desired.Generation, desired.Revision, _options, _driver, RaiseChanged, _loggers.CreateLogger<VmSupervisor>());
            }
        }
        FindOrphans(desired.KeepOrphans);
        bool collect;
        lock (_gate)
        {
            collect = desired.DiskGc != 0 && desired.DiskGc != _diskGcHandled;
            _diskGcHandled = desired.DiskGc;
        }
        if (collect || desired.PurgeRemoved)
        {
            var report = CollectDisks(desired, images: collect && !_options.SharesImageStore);
            if (collect) lock (_gate) _diskGc = report;
        }
        RaiseChanged();
    }

    /// <summary>
    /// Deletes the disks no desired VM uses: every kept old disk (<c>disk.genN.qcow2</c>), and the disks of VMs that are
    /// not desired. Skipped: VMs whose supervisor is still stopping them (they purge their own files when asked) and
    /// QEMUs that still run (an orphan kept by <c>settings.orphans: keep</c> still uses its disk).
    /// </summary>
    /// <param name="images">Also delete the cached images nothing on this host uses (<see cref="ImageCacheCollector"/>).</param>
    private DiskGcReport CollectDisks(DesiredStateMessage desired, bool images)
    {
        var deleted = new List<string>();
        long bytes = 0;
        var wanted = desired.Vms.Select(v => v.Spec.Name).ToHashSet(StringComparer.Ordinal);
        var vmDirectories = Directory.Exists(_options.VmsDirectory) ? Directory.EnumerateDirectories(_options.VmsDirectory) : [];
        foreach (var dir in vmDirectories)
        {
            var name = Path.GetFileName(dir);
            lock (_gate)
                if (_leaving.Any(s => s.Name == name)) continue;
            var paths = VmPaths.For(_options, name);
            var unused = !wanted.Contains(name);
            if (unused && RuntimeRecord.TryRead(paths.RuntimeRecordPath) is { } record && _driver.IsAlive(record)) continue;
            // The named volumes of a VM that is not desired go too: they are kept only until a purge or a gc.
            var volumes = Path.Combine(dir, VmPaths.VolumesDirectory);
            var files = Directory.EnumerateFiles(dir).Concat(unused && Directory.Exists(volumes) ? Directory.EnumerateFiles(volumes) : []);
            foreach (var file in files.ToList())
            {
                var fileName = Path.GetFileName(file);
                var isDisk = VmPaths.IsKeptDisk(fileName)
                    || (unused && (file == paths.DiskPath || file == paths.DiskIdentityPath || file == paths.DiskPath + ".new"
                        || Path.GetDirectoryName(file) == volumes));
                if (!isDisk) continue;
                try
                {
                    var size = new FileInfo(file).Length;
                    File.Delete(file);
                    bytes += size;
                    deleted.Add(Path.GetRelativePath(Path.GetDirectoryName(_options.VmsDirectory)!, file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.UnusedDiskNotDeleted(_logger, file, e);
                }
            }
        }
        foreach (var dir in vmDirectories.Select(d => Path.Combine(d, VmPaths.VolumesDirectory)).Where(Directory.Exists).ToList())
            if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
        if (deleted.Count > 0) Log.UnusedDisksDeleted(_logger, deleted.Count, bytes, string.Join(", ", deleted));
        // After the disks: a base image is kept while a disk made on it is left.
        if (images)
            foreach (var (path, size) in ImageCacheCollector.Collect(_options, desired.Vms.Where(v => v.Image is not null).Select(v => v.Image!.Sha256), (file, e) => Log.UnusedDiskNotDeleted(_logger, file, e)))
            {
                deleted.Add(path);
                bytes += size;
                Log.UnusedImageDeleted(_logger, path, size);
            }
        return new DiskGcReport(desired.DiskGc, deleted, bytes);
    }

    /// <summary>What this agent sees of VM <paramref name="name"/> when it supervises it (also while stopping it after
    /// its removal); null for a VM that is not its own.</summary>
    /// <summary>The guest agent of VM <paramref name="name"/>'s running process; null when it has none or is not here.</summary>
    public Guests.GuestAgentLink? GuestAgentOf(string name)
    {
        lock (_gate) return _supervisors.GetValueOrDefault(name)?.GuestAgent;
    }

    /// <summary>The running process of VM <paramref name="name"/>; null while it has none.</summary>
    public Vms.IVmHandle? HandleOf(string name)
    {
        lock (_gate) return _supervisors.GetValueOrDefault(name)?.Handle;
    }

    public ObservedVm? Find(string name)
    {
        lock (_gate)
        {
            var supervisor = _supervisors.GetValueOrDefault(name) ?? _leaving.FirstOrDefault(s => s.Name == name);
            return supervisor?.Snapshot();
        }
    }

    public ObservedStateMessage Snapshot()
    {
        lock (_gate)
        {
            var vms = _supervisors.Values.Concat(_leaving).Select(s => s.Snapshot()).OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
            return new ObservedStateMessage(_desired.Generation, _desired.Revision, vms, _orphans.Values.ToArray(), _diskGc);
        }
    }

    /// <summary>
    /// Looks for orphan QEMUs again, as of the desired state in hand. The connection calls this at every heartbeat: an
    /// orphan can appear without any change of desired state, and since protocol v3 an apply that changes nothing for
    /// this agent sends it nothing.
    /// </summary>
    public void ScanForOrphans()
    {
        bool keep;
        int before;
        lock (_gate)
        {
            // Before any desired state (none on disk, none received yet) every QEMU would look like an orphan.
            if (!_applied) return;
            keep = _desired.KeepOrphans;
            before = _orphans.Count;
        }
        FindOrphans(keep, forgetStopped: false);
        bool found;
        lock (_gate) found = _orphans.Count != before;
        if (found) RaiseChanged();
    }

    /// <summary>
    /// Looks for QEMUs in this agent's runtime directory that no desired VM names (left by a lost desired state, or
    /// started by hand with Hangar's layout) and stops them, unless the fleet keeps orphans. They are reported either way.
    /// </summary>
    /// <param name="forgetStopped">Whether stopped orphans, reported since the last desired state, are forgotten now
    /// (with a new desired state; a heartbeat's look keeps reporting them).</param>
    private void FindOrphans(bool keep, bool forgetStopped = true)
    {
        lock (_gate)
        {
            // Stopped orphans were reported; kept ones are looked at again (the policy may have changed).
            foreach (var (name, orphan) in _orphans.ToArray())
                if (orphan.Action is OrphanAction.Kept || (forgetStopped && orphan.Action is OrphanAction.Stopped)) _orphans.Remove(name);
        }
        if (!Directory.Exists(_options.RuntimeDirectory)) return;
        foreach (var dir in Directory.EnumerateDirectories(_options.RuntimeDirectory))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith('_')) continue; // the agent's own (the KVM probe)
            lock (_gate)
            {
                if (_supervisors.ContainsKey(name) || _leaving.Any(s => s.Name == name)) continue;
                if (_orphans.ContainsKey(name)) continue; // being stopped already
            }
            var paths = VmPaths.For(_options, name);
            if (RuntimeRecord.TryRead(paths.RuntimeRecordPath) is not { } record || !_driver.IsAlive(record)) continue;
            Log.OrphanFound(_logger, name, record.Pid, keep ? "keeping it" : "stopping it");
            lock (_gate) _orphans[name] = new ObservedOrphan(name, record.Pid, keep ? OrphanAction.Kept : OrphanAction.Stopping);
            if (!keep) _ = StopOrphanAsync(name, paths, record);
        }
    }

    private async Task StopOrphanAsync(string name, VmPaths paths, RuntimeRecord record)
    {
        try
        {
            await using var instance = await _driver.RecoverAsync(name, record, CancellationToken.None);
            await instance.StopAsync(_options.GracefulStopTimeout, CancellationToken.None);
        }
        catch (Hangar.Qemu.QemuException e)
        {
            Log.OrphanStopNotClean(_logger, name, e);
            _driver.Kill(record);
        }
        try { Directory.Delete(paths.Runtime.Directory, recursive: true); }
        catch (IOException) { }
        lock (_gate) _orphans[name] = new ObservedOrphan(name, record.Pid, OrphanAction.Stopped);
        RaiseChanged();
    }

    private void OnLeft(VmSupervisor supervisor)
    {
        lock (_gate) _leaving.Remove(supervisor);
        RaiseChanged();
    }

    private void RaiseChanged() => Changed?.Invoke();

    private DesiredStateMessage? LoadDesired()
    {
        try
        {
            return File.Exists(_options.DesiredStatePath)
                ? JsonSerializer.Deserialize(File.ReadAllText(_options.DesiredStatePath), AgentJsonContext.Default.AgentMessage) as DesiredStateMessage
                : null;
        }
        catch (JsonException e)
        {
            Log.DesiredStateUnreadable(_logger, _options.DesiredStatePath, e);
            return null;
        }
    }

    private void SaveDesired(DesiredStateMessage desired)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_options.DesiredStatePath)!);
        var temp = _options.DesiredStatePath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, desired, AgentJsonContext.Default.AgentMessage);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _options.DesiredStatePath, overwrite: true);
    }

    /// <summary>Stops supervising; running QEMUs keep running and are adopted by the next agent.</summary>
    public async ValueTask DisposeAsync()
    {
        VmSupervisor[] all;
        lock (_gate) all = [.. _supervisors.Values, .. _leaving];
        foreach (var supervisor in all) await supervisor.DisposeAsync();
    }
}
