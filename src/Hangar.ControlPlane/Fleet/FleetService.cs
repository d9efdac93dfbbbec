using Hangar.ControlPlane.Agents;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.State;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Fleet;

/// <summary>
/// The control plane's model of the fleet, as the API, the agent endpoint and the CLI's server see it: one entry
/// point over the parts that do the work, which share one <see cref="FleetState"/> (and its locks).
/// <list type="table">
/// <item><term><see cref="GenerationLedger"/></term><description>plan, apply, rollback; a rollout's verdict</description></item>
/// <item><term><see cref="HistoryQueries"/></term><description>generations, one generation, diffs</description></item>
/// <item><term><see cref="RolloutRunner"/></term><description>runs the health gate of the current generation</description></item>
/// <item><term><see cref="OperatorActions"/></term><description>vm start/stop/restart, down, gc</description></item>
/// <item><term><see cref="AgentRegistry"/></term><description>the agents known, with their last reports</description></item>
/// <item><term><see cref="ObservedStateIntake"/></term><description>agents connecting, reporting, leaving</description></item>
/// <item><term><see cref="FleetStatusView"/></term><description>the status, and waiting for its next change</description></item>
/// <item><term><see cref="DesiredStateDelivery"/></term><description>each agent's desired state, sent with a new revision</description></item>
/// <item><term><see cref="EventJournal"/></term><description>the events, logged and stored in order</description></item>
/// </list>
/// </summary>
public sealed class FleetService : IAsyncDisposable
{
    private readonly FleetState _state = new();
    private readonly ILogger _logger;
    private readonly EventJournal _journal;
    private readonly AgentRegistry _agents;
    private readonly FleetStatusView _view;
    private readonly DesiredStateDelivery _delivery;
    private readonly ObservedStateIntake _intake;
    private readonly RolloutRunner _rollouts;
    private readonly GenerationLedger _ledger;
    private readonly HistoryQueries _history;
    private readonly OperatorActions _operators;

    public FleetService(IStateStore store, ILogger<FleetService> logger)
    {
        _logger = logger;
        _journal = new EventJournal(store, logger);
        _agents = new AgentRegistry(_state);
        _view = new FleetStatusView(_state, _agents);
        _delivery = new DesiredStateDelivery(_state, _agents, logger);
        _intake = new ObservedStateIntake(_state, _agents, _journal, _delivery);
        _rollouts = new RolloutRunner(_state, _view, _journal, logger);
        _ledger = new GenerationLedger(_state, store, _journal, _delivery, _rollouts, _view);
        _history = new HistoryQueries(store);
        _operators = new OperatorActions(_state, store, _journal, _delivery, _rollouts, _view, _agents);
    }

    /// <summary>Loads the fleet from the store and resumes a rollout that a stop interrupted. Call once, first.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        await _ledger.LoadAsync(ct);
        await _operators.LoadAsync(ct);
        _journal.Start();
        _ledger.ResumeRollout();
        _logger.LogInformation("Fleet at generation {Generation} with {Count} VMs", _state.CurrentGeneration, _state.Spec.Vms.Count);
    }

    // ---- generations ----
    /// <inheritdoc cref="GenerationLedger.Plan"/>
    public PlanResponse Plan(ApplyRequest request) => _ledger.Plan(request);
    /// <inheritdoc cref="GenerationLedger.ApplyAsync"/>
    public Task<ApplyResponse> ApplyAsync(ApplyRequest request, CancellationToken ct) => _ledger.ApplyAsync(request, ct);
    /// <inheritdoc cref="GenerationLedger.RollbackAsync"/>
    public Task<ApplyResponse> RollbackAsync(RollbackRequest request, CancellationToken ct) => _ledger.RollbackAsync(request, ct);
    public Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken ct) => _history.GenerationsAsync(ct);
    public Task<GenerationDetail> GenerationAsync(long number, CancellationToken ct) => _history.GenerationAsync(number, ct);
    public Task<DiffResponse> DiffAsync(long from, long to, CancellationToken ct) => _history.DiffAsync(from, to, ct);

    // ---- operators ----
    /// <inheritdoc cref="OperatorActions.SetVmAsync"/>
    public Task<VmStatus> SetVmAsync(string name, VmOperation operation, CancellationToken ct) => _operators.SetVmAsync(name, operation, ct);
    /// <inheritdoc cref="OperatorActions.DownAsync"/>
    public Task DownAsync(bool purge, CancellationToken ct) => _operators.DownAsync(purge, ct);
    /// <inheritdoc cref="OperatorActions.CollectDisksAsync"/>
    public Task<DiskGcResponse> CollectDisksAsync(TimeSpan timeout, CancellationToken ct) => _operators.CollectDisksAsync(timeout, ct);

    // ---- status ----
    public FleetStatus Status() => _view.Status();
    /// <inheritdoc cref="FleetStatusView.FindObserved"/>
    public ObservedVm? FindObserved(string name) => _view.FindObserved(name);
    public bool HasVm(string name) => _view.HasVm(name);
    /// <inheritdoc cref="FleetStatusView.FindAgentOf"/>
    public AgentSession? FindAgentOf(string name) => _view.FindAgentOf(name);
    /// <inheritdoc cref="FleetStatusView.WhenChangedAsync"/>
    public Task WhenChangedAsync(CancellationToken ct) => _view.WhenChangedAsync(ct);

    // ---- agents ----
    /// <inheritdoc cref="AgentRegistry.GetOrAdd"/>
    public AgentSession GetOrAddAgent(string name) => _agents.GetOrAdd(name);
    public Task AgentConnectedAsync(AgentSession session, CancellationToken ct) => _intake.AgentConnectedAsync(session, ct);
    public void AgentDisconnected(AgentSession session) => _intake.AgentDisconnected(session);
    public void ObservedReceived(AgentSession session, ObservedStateMessage observed) => _intake.Received(session, observed);
    /// <inheritdoc cref="DesiredStateDelivery.DesiredFor"/>
    public DesiredStateMessage DesiredFor(string agent) => _delivery.DesiredFor(agent);

    public async ValueTask DisposeAsync()
    {
        await _rollouts.DisposeAsync();
        await _journal.DisposeAsync();
    }
}
