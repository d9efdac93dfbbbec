using System.Text.Json;
using Hangar.Agent.Vms;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent;

/// <summary>
/// The agent's desired state and one <see cref="VmSupervisor"/> per VM in it. The desired state is written to disk
/// before it is acted on, so that an agent that restarts (or cannot reach its control plane) keeps running it.
/// </summary>
public sealed class Reconciler : IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly VmLauncher _launcher;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Dictionary<string, VmSupervisor> _supervisors = new(StringComparer.Ordinal);
    private readonly List<VmSupervisor> _leaving = [];
    private readonly Lock _gate = new();
    private DesiredStateMessage _desired = new(0, 0, [], false);

    public Reconciler(AgentOptions options, VmLauncher launcher, ILoggerFactory loggers)
    {
        _options = options;
        _launcher = launcher;
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
            _logger.LogInformation("Resuming desired state of generation {Generation} ({Count} VMs)", desired.Generation, desired.Vms.Count);
            Apply(desired);
        }
    }

    /// <summary>Makes <paramref name="desired"/> the state to run: persists it, then updates every supervisor.</summary>
    public void Apply(DesiredStateMessage desired)
    {
        SaveDesired(desired);
        lock (_gate)
        {
            _desired = desired;
            var wanted = desired.Vms.ToDictionary(v => v.Spec.Name, StringComparer.Ordinal);
            foreach (var (name, supervisor) in _supervisors.ToList())
            {
                if (wanted.ContainsKey(name)) continue;
                supervisor.Update(null, desired.Generation, desired.Revision, desired.PurgeRemoved);
                _supervisors.Remove(name);
                _leaving.Add(supervisor);
                _ = supervisor.Completion.ContinueWith(_ => OnLeft(supervisor), TaskScheduler.Default);
            }
            foreach (var (name, vm) in wanted)
            {
                if (_supervisors.TryGetValue(name, out var supervisor))
                    supervisor.Update(vm, desired.Generation, desired.Revision, purge: false);
                else
                    _supervisors[name] = new VmSupervisor(name, vm, desired.Generation, desired.Revision, _launcher, RaiseChanged, _loggers.CreateLogger<VmSupervisor>());
            }
        }
        RaiseChanged();
    }

    public ObservedStateMessage Snapshot()
    {
        lock (_gate)
        {
            var vms = _supervisors.Values.Concat(_leaving).Select(s => s.Snapshot()).OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
            return new ObservedStateMessage(_desired.Generation, vms);
        }
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
                ? JsonSerializer.Deserialize<AgentMessage>(File.ReadAllText(_options.DesiredStatePath), HangarJson.Options) as DesiredStateMessage
                : null;
        }
        catch (JsonException e)
        {
            _logger.LogError(e, "The desired state in {Path} is unreadable; waiting for the control plane", _options.DesiredStatePath);
            return null;
        }
    }

    private void SaveDesired(DesiredStateMessage desired)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_options.DesiredStatePath)!);
        var temp = _options.DesiredStatePath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, (AgentMessage)desired, HangarJson.Options);
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
