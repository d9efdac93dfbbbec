using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Metrics;
using Hangar.ControlPlane.Replicas;
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
/// <item><term><see cref="AgentRegistry"/></term><description>the agents known (persisted), with their last reports</description></item>
/// <item><term><see cref="PlacementBook"/></term><description>where each VM runs (persisted)</description></item>
/// <item><term><see cref="AgentOperations"/></term><description>join tokens, joining, agent list, cordon, remove</description></item>
/// <item><term><see cref="AgentDrain"/></term><description>drains: movable VMs moved off an agent one at a time</description></item>
/// <item><term><see cref="ObservedStateIntake"/></term><description>agents connecting, reporting, leaving</description></item>
/// <item><term><see cref="FleetStatusView"/></term><description>the status, and waiting for its next change</description></item>
/// <item><term><see cref="DesiredStateDelivery"/></term><description>each agent's desired state, sent with a new revision</description></item>
/// <item><term><see cref="EventJournal"/></term><description>the events, logged and stored in order</description></item>
/// </list>
/// </summary>
public sealed class FleetService : IAsyncDisposable
{
    private readonly FleetState _state;
    private readonly ILogger _logger;
    private readonly EventJournal _journal;
    private readonly EventQueries _events;
    private readonly AgentRegistry _agents;
    private readonly FleetStatusView _view;
    private readonly DesiredStateDelivery _delivery;
    private readonly ObservedStateIntake _intake;
    private readonly RolloutRunner _rollouts;
    private readonly GenerationLedger _ledger;
    private readonly HistoryQueries _history;
    private readonly OperatorActions _operators;
    private readonly PlacementBook _placements;
    private readonly AgentOperations _agentOperations;
    private readonly AgentDrain _drains;
    private readonly ReplicaSync? _sync;
    private readonly LeaderElection? _election;
    private readonly ObservedSharing? _observed;
    private readonly ReplicaImages? _replicaImages;

    /// <param name="agentStore">Agents, join tokens and placements; the SQLite engine keeps them in the state file.</param>
    /// <param name="time">The clock of heartbeats and token expiry (tests give a fake one).</param>
    /// <param name="images">The image store file images are served from; null for none (tests of the fleet alone: no
    /// image is then checked for or served).</param>
    /// <param name="replica">This control plane's part among replicas on a shared store (PostgreSQL); null to run alone.</param>
    public FleetService(IStateStore store, IAgentStore agentStore, ILogger<FleetService> logger, TimeProvider? time = null,
        Hangar.Images.Store.ContentStore? images = null, ControlPlaneReplica? replica = null)
    {
        _state = new FleetState
        {
            Replicas = replica is null ? ReplicaLink.Alone(Environment.MachineName) : ReplicaLink.Shared(replica.Id, replica.Feed, logger),
        };
        if (replica?.Directory is { } directory)
        {
            Peers = new ReplicaPeers(_state.Replicas, directory, time ?? TimeProvider.System, logger);
            Forwarder = new ReplicaForwarder(_state, Peers, logger);
            _replicaImages = images is null ? null : new ReplicaImages(_state.Replicas, Peers, images, logger);
        }
        Images = images is null ? null : new Images.ImageCatalog(_state, images, _replicaImages);
        _logger = logger;
        _journal = new EventJournal(store, logger, _state.Replicas);
        _events = new EventQueries(store, _journal.Feed);
        _agents = new AgentRegistry(_state, agentStore, time ?? TimeProvider.System);
        _placements = new PlacementBook(_state, _agents, agentStore);
        _view = new FleetStatusView(_state, _agents);
        _delivery = new DesiredStateDelivery(_state, _agents, _placements, logger, Images);
        _observed = replica is null ? null : new ObservedSharing(_state, _agents, replica.Observed, logger);
        _intake = new ObservedStateIntake(_state, _agents, _journal, _delivery, _observed);
        Metrics = new ControlPlaneMetrics { Status = _view.Status };
        _rollouts = new RolloutRunner(_state, _view, _journal, logger, Metrics);
        _ledger = new GenerationLedger(_state, store, _journal, _delivery, _rollouts, _view, _placements, Images);
        _history = new HistoryQueries(store);
        _operators = new OperatorActions(_state, store, _journal, _delivery, _rollouts, _view, _agents, Images);
        _agentOperations = new AgentOperations(_state, _agents, new JoinTokens(agentStore, time ?? TimeProvider.System), _journal, _delivery);
        _drains = new AgentDrain(_state, _agents, _placements, _delivery, _view, _agentOperations, _journal, agentStore, logger);
        if (replica is not null)
        {
            _sync = new ReplicaSync(_state, replica.Feed, _ledger, _operators, _placements, _agents, _delivery, _observed!, _journal.Feed, logger);
            _election = new LeaderElection(_state.Replicas, replica.Lock, _state, _journal, LeadAsync, () =>
            {
                _rollouts.Cancel();
                _drains.CancelAll("this control plane stopped leading");
            }, logger);
        }
    }

    /// <summary>This replica became the leader: the store's agents, placement and generation, then the gate it left running.</summary>
    private async Task LeadAsync(CancellationToken ct)
    {
        await _agents.ReloadAsync(ct);
        await _placements.ReloadAsync(ct);
        await _ledger.LeadAsync(ct);
        await _drains.LeadAsync(ct);
    }

    /// <summary>What <c>GET /metrics</c> reports of this fleet (rollouts, heartbeats, VMs by phase and health, agents).</summary>
    public ControlPlaneMetrics Metrics { get; }

    /// <summary>This control plane among the replicas of its store: its id, whether it leads, and who does.</summary>
    public ControlPlaneStatus ControlPlane() =>
        new(_state.Replicas.Id, _state.Replicas.IsLeader, _state.Replicas.Leader, _state.Replicas.IsShared);

    /// <summary>The other replicas: their addresses and credentials; null alone (or without a directory).</summary>
    internal ReplicaPeers? Peers { get; }

    /// <summary>Serves logs, consoles and gc through the other replicas; null alone.</summary>
    internal ReplicaForwarder? Forwarder { get; }

    /// <summary>Records where this replica answers, for the others (nothing to do alone); once it listens.</summary>
    internal Task RegisterReplicaAsync(Uri url, string? fingerprint, CancellationToken ct) =>
        Peers?.RegisterAsync(url, fingerprint, ct) ?? Task.CompletedTask;

    /// <inheritdoc cref="ReplicaRoute.Decide"/>
    internal ReplicaRoute RouteOf(string vm, string agent, bool connectedHere, bool mayForward)
    {
        lock (_state.Gate)
        {
            // Where its online notice said, else the replica that last shared its report (this one started after the notice).
            var replica = _state.Replicas.ReplicaOf(agent) ?? _agents.Find(agent)?.SharedFrom;
            return ReplicaRoute.Decide(vm, agent, connectedHere, mayForward, replica, replica is not null && _state.Replicas.IsLive(replica), _state.Replicas.Id);
        }
    }

    /// <summary>The image store and what uses each image; null when the service has no store.</summary>
    internal Images.ImageCatalog? Images { get; }

    /// <summary>Loads the fleet from the store and resumes a rollout that a stop interrupted. Call once, first.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        await _ledger.LoadAsync(ct);
        await _operators.LoadAsync(ct);
        await _agents.LoadAsync(ct);
        await _placements.LoadAsync(ct);
        await _drains.LoadAsync(ct);
        _journal.Start();
        if (_sync is null) _ledger.ResumeRollout();
        else
        {
            // With replicas the leader resumes a rollout, once elected (LeadAsync).
            if (_replicaImages is not null) await _replicaImages.StartAsync(ct);
            _observed!.Start();
            _sync.Start();
            _election!.Start();
        }
        _logger.LogInformation("Fleet at generation {Generation} with {Count} VMs", _state.CurrentGeneration, _state.Spec.Vms.Count);
    }

    // ---- generations ----
    /// <inheritdoc cref="GenerationLedger.Plan"/>
    public PlanResponse Plan(ApplyRequest request) => _ledger.Plan(request);
    /// <summary>The parses of plan and apply; tests hook <see cref="FleetFileParses.Parsing"/>.</summary>
    internal FleetFileParses Parses => _ledger.Parses;
    /// <summary>Passes over the whole fleet that agents coming and going can cost (the placement index built, the
    /// all-placed check); tests count them.</summary>
    internal int FleetPasses
    {
        get { lock (_state.Gate) return _state.Placed.Builds + _placements.ChecksOfAllPlaced; }
    }
    /// <inheritdoc cref="GenerationLedger.ApplyAsync"/>
    public Task<ApplyResponse> ApplyAsync(ApplyRequest request, CancellationToken ct) => _ledger.ApplyAsync(request, ct);
    /// <inheritdoc cref="GenerationLedger.RollbackAsync"/>
    public Task<ApplyResponse> RollbackAsync(RollbackRequest request, CancellationToken ct) => _ledger.RollbackAsync(request, ct);
    public Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken ct) => _history.GenerationsAsync(ct);
    public Task<GenerationDetail> GenerationAsync(long number, CancellationToken ct) => _history.GenerationAsync(number, ct);
    public Task<DiffResponse> DiffAsync(long from, long to, CancellationToken ct) => _history.DiffAsync(from, to, ct);

    /// <inheritdoc cref="EventQueries.ListAsync"/>
    public Task<IReadOnlyList<EventEntry>> EventsAsync(long after, int limit, EventFilter filter, CancellationToken ct) => _events.ListAsync(after, limit, filter, ct);

    /// <inheritdoc cref="EventQueries.FollowAsync"/>
    public IAsyncEnumerable<EventEntry> FollowEventsAsync(long after, EventFilter filter, CancellationToken ct) => _events.FollowAsync(after, filter, ct);

    // ---- operators ----
    /// <inheritdoc cref="OperatorActions.SetVmAsync"/>
    public Task<VmStatus> SetVmAsync(string name, VmOperation operation, CancellationToken ct) => _operators.SetVmAsync(name, operation, ct);
    /// <inheritdoc cref="OperatorActions.DownAsync"/>
    public Task DownAsync(bool purge, CancellationToken ct) => _operators.DownAsync(purge, ct);
    /// <inheritdoc cref="OperatorActions.CollectDisksAsync"/>
    public Task<DiskGcResponse> CollectDisksAsync(TimeSpan timeout, CancellationToken ct) => _operators.CollectDisksAsync(timeout, ct);
    /// <summary><see cref="CollectDisksAsync"/> here and on every other live replica (<see cref="ReplicaForwarder.CollectEverywhereAsync"/>).</summary>
    public Task<DiskGcResponse> CollectDisksEverywhereAsync(TimeSpan timeout, CancellationToken ct) => Forwarder is null
        ? _operators.CollectDisksAsync(timeout, ct)
        : Forwarder.CollectEverywhereAsync(c => _operators.CollectDisksAsync(timeout, c), timeout, ct);

    // ---- status ----
    public FleetStatus Status() => _view.Status();
    /// <inheritdoc cref="Images.ImageCatalog.List"/>
    public IReadOnlyList<ImageInfo> ImageList() => Images?.List() ?? [];
    /// <inheritdoc cref="FleetStatusView.Vm"/>
    public VmStatus? VmStatus(string name) => _view.Vm(name);
    /// <inheritdoc cref="FleetStatusView.Changes"/>
    internal FleetStatusChange Changes(ChangeSubscription subscription) => _view.Changes(subscription);
    /// <inheritdoc cref="FleetState.Subscribe"/>
    internal ChangeSubscription SubscribeChanges() => _state.Subscribe();
    /// <inheritdoc cref="FleetStatusView.FindObserved"/>
    public ObservedVm? FindObserved(string name) => _view.FindObserved(name);
    public bool HasVm(string name) => _view.HasVm(name);
    /// <inheritdoc cref="FleetStatusView.FindAgentOf"/>
    public AgentSession? FindAgentOf(string name) => _view.FindAgentOf(name);
    /// <inheritdoc cref="FleetStatusView.WhenChangedAsync"/>
    public Task WhenChangedAsync(CancellationToken ct) => _view.WhenChangedAsync(ct);

    // ---- agents ----
    /// <summary>The clock of heartbeats and token expiry.</summary>
    public TimeProvider Time => _agents.Time;
    /// <inheritdoc cref="AgentRegistry.GetOrAdd"/>
    public AgentSession GetOrAddAgent(string name) => _agents.GetOrAdd(name);
    public Task AgentConnectedAsync(AgentSession session, CancellationToken ct) => _intake.AgentConnectedAsync(session, ct);
    /// <inheritdoc cref="ObservedStateIntake.AgentDisconnectedAsync"/>
    public Task AgentDisconnectedAsync(AgentSession session, AgentChannel channel) => _intake.AgentDisconnectedAsync(session, channel);
    /// <inheritdoc cref="AgentRegistry.Attach"/>
    public AgentChannel? AttachAgentChannel(AgentSession session, AgentChannel channel) => _agents.Attach(session, channel);
    /// <inheritdoc cref="AgentRegistry.Authenticate"/>
    public AgentSession? AuthenticateAgent(string credential) => _agents.Authenticate(credential);

    /// <summary><see cref="AuthenticateAgent"/>; with replicas, an unknown credential is looked for again in the store,
    /// since the agent may have joined through another replica a moment ago.</summary>
    public async Task<AgentSession?> AuthenticateAgentAsync(string credential, CancellationToken ct)
    {
        if (_agents.Authenticate(credential) is { } known) return known;
        if (_sync is null) return null;
        await _agents.ReloadAsync(ct);
        return _agents.Authenticate(credential);
    }
    /// <inheritdoc cref="AgentRegistry.HelloAsync"/>
    public Task AgentHelloAsync(AgentSession session, HelloMessage hello, CancellationToken ct) => _agents.HelloAsync(session, hello, ct);
    /// <inheritdoc cref="AgentRegistry.Heard"/>
    public void AgentHeard(AgentSession session) => _agents.Heard(session);
    /// <inheritdoc cref="AgentRegistry.IssueCredentialAsync"/>
    public Task<string> IssueAgentCredentialAsync(string name, CancellationToken ct) => _agents.IssueCredentialAsync(name, ct);
    /// <inheritdoc cref="AgentOperations.JoinAsync"/>
    public Task<(string Name, string Credential)> JoinAgentAsync(string joinToken, string name, IReadOnlyDictionary<string, string>? labels, CancellationToken ct) =>
        _agentOperations.JoinAsync(joinToken, name, labels, ct);
    /// <inheritdoc cref="AgentOperations.CredentialRefused"/>
    public void AgentCredentialRefused(string remote) => _agentOperations.CredentialRefused(remote);
    public Task<JoinTokenResponse> CreateJoinTokenAsync(JoinTokenRequest request, CancellationToken ct) => _agentOperations.CreateTokenAsync(request, ct);
    public IReadOnlyList<AgentInfo> Agents() => _agentOperations.List().Select(a => a with { Drain = _drains.Of(a.Name) }).ToArray();
    public AgentInfo Agent(string name) => _agentOperations.Get(name) with { Drain = _drains.Of(name) };
    /// <summary>Cordons or uncordons an agent (persisted); uncordoning ends its drain.</summary>
    public async Task<AgentInfo> SetAgentCordonedAsync(string name, bool cordoned, CancellationToken ct)
    {
        if (!cordoned) _drains.Cancel(name, "the agent was uncordoned");
        await _agentOperations.SetCordonedAsync(name, cordoned, ct);
        return Agent(name);
    }
    /// <inheritdoc cref="AgentDrain.StartAsync"/>
    public async Task<AgentInfo> DrainAgentAsync(string name, AgentDrainRequest request, CancellationToken ct)
    {
        await _drains.StartAsync(name, request.Timeout, ct);
        return Agent(name);
    }
    /// <inheritdoc cref="AgentOperations.SetLabelsAsync"/>
    public Task<AgentInfo> SetAgentLabelsAsync(string name, AgentLabelsRequest request, CancellationToken ct) => _agentOperations.SetLabelsAsync(name, request, ct);
    /// <inheritdoc cref="AgentOperations.RemoveAsync"/>
    public async Task<AgentInfo> RemoveAgentAsync(string name, bool force, CancellationToken ct)
    {
        var removed = await _agentOperations.RemoveAsync(name, force, ct);
        _drains.Cancel(name, "the agent was removed");
        await _drains.ForgetAsync(name, ct);
        return removed;
    }
    public void ObservedReceived(AgentSession session, ObservedStateMessage observed) => _intake.Received(session, observed);
    public void ObservedReceived(AgentSession session, ObservedDeltaMessage observed) => _intake.Received(session, observed);
    /// <inheritdoc cref="ObservedStateIntake.ResyncAsync"/>
    public Task AgentResyncAsync(AgentSession session, CancellationToken ct) => _intake.ResyncAsync(session, ct);
    /// <inheritdoc cref="DesiredStateDelivery.DesiredFor"/>
    public DesiredStateMessage DesiredFor(string agent) => _delivery.DesiredFor(agent);

    private bool _disposed;

    /// <summary>Stops the replica's parts, the rollout runner and the journal. Called twice when the server stops (by
    /// the server, then by its service container); the second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _drains.DisposeAsync();
        if (_election is not null) await _election.DisposeAsync();
        if (_sync is not null) await _sync.DisposeAsync();
        if (_observed is not null) await _observed.DisposeAsync();
        if (Peers is not null) await Peers.DisposeAsync();
        await _rollouts.DisposeAsync();
        await _journal.DisposeAsync();
    }
}
