using Hangar.State.Replication;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// What a control plane needs to run as one of several replicas on one store: its id, the store's leader lock, its
/// change feed, the agents' shared reports and the directory of replicas (addresses, image copies) (<see cref="Hangar.State.StateStores.OpenReplicationAsync"/>). Without
/// one it runs alone and always leads.
/// </summary>
public sealed record ControlPlaneReplica(string Id, ILeaderLock Lock, IChangeFeed Feed, IObservedStore Observed, IReplicaDirectory? Directory = null);
