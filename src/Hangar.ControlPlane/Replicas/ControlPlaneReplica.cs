using Hangar.State.Replication;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// What a control plane needs to run as one of several replicas on one store: its id, the store's leader lock and its
/// change feed (<see cref="Hangar.State.StateStores.OpenReplication"/>). Without one it runs alone and always leads.
/// </summary>
public sealed record ControlPlaneReplica(string Id, ILeaderLock Lock, IChangeFeed Feed);
