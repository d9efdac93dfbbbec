using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Streams;
using Hangar.State;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// One agent known to the control plane, connected or not: what is persisted about it (<see cref="ToRecord"/>) and
/// what lives only while it is connected (its channel, its last report). Fields are written under the fleet's gate.
/// </summary>
public sealed class AgentSession(string name)
{
    public string Name { get; } = name;
    public string HostName { get; set; } = "";

    /// <summary>Its age recipient, from its hello; null until it sent one.</summary>
    public string? Recipient { get; set; }
    public string? Accelerator { get; set; }
    public AgentChannel? Channel { get; set; }
    /// <summary>The relayed streams (serial logs, consoles) of the agent's current connection; ended when it ends.</summary>
    public StreamMultiplexer? Streams { get; set; }
    public bool Connected => Channel is not null;
    public DateTimeOffset? LastSeen { get; set; }
    /// <summary>What the agent last reported (whole, then deltas), kept across its reconnections.</summary>
    public ObservedAgentState Observed { get; } = new();

    /// <summary>What the agent was last sent (for the next delta).</summary>
    public DesiredLedger Desired { get; } = new();

    /// <summary>While the agent reports to another replica: the revision at which what that replica asks of each VM last
    /// changed, as it shared it (see <c>ObservedSharing</c>).</summary>
    public Dictionary<string, long> SharedDesired { get; } = new(StringComparer.Ordinal);

    /// <summary>The replica whose shared report of this agent was read last (see <c>ObservedSharing</c>): where a log or
    /// console is forwarded when no <c>online</c> notice said where the agent is (this replica started after it connected).</summary>
    public string? SharedFrom { get; set; }

    /// <summary>SHA-256 of its credential; empty for an agent that never joined (one a test adds by hand).</summary>
    public string CredentialHash { get; set; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();
    public int Vcpus { get; set; }
    public long MemoryBytes { get; set; }
    public string Version { get; set; } = "";
    public bool Cordoned { get; set; }
    public DateTimeOffset JoinedAt { get; set; }

    public AgentRecord ToRecord() => new(Name, CredentialHash, Labels, Vcpus, MemoryBytes, Version, HostName, Accelerator, JoinedAt, LastSeen, Cordoned) { Recipient = Recipient };

    public static AgentSession FromRecord(AgentRecord record) => new(record.Name)
    {
        CredentialHash = record.CredentialHash,
        Labels = record.Labels,
        Vcpus = record.Vcpus,
        MemoryBytes = record.MemoryBytes,
        Version = record.Version,
        HostName = record.HostName,
        Accelerator = record.Accelerator,
        JoinedAt = record.JoinedAt,
        LastSeen = record.LastHeartbeat,
        Cordoned = record.Cordoned,
        Recipient = record.Recipient,
    };
}
