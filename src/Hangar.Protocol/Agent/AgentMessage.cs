using System.Text.Json.Serialization;

namespace Hangar.Protocol.Agent;

/// <summary>
/// One frame of the agent protocol on <c>/agent/ws</c>: a JSON text frame <c>{"v":1,"type":"…","id":"…",…}</c>.
/// The protocol is declarative: on every connection the control plane sends everything an agent should run
/// (<see cref="DesiredStateMessage"/>, in frames of at most <see cref="AgentProtocol.MaxVmsPerFrame"/> VMs) and then
/// only what changes (<see cref="DesiredDeltaMessage"/>, answered by <see cref="ResyncMessage"/> when one is missing);
/// the agent reports everything it runs (<see cref="ObservedStateMessage"/>) and then only what changes
/// (<see cref="ObservedDeltaMessage"/>), with a <see cref="HeartbeatMessage"/> when nothing did. A VM's serial log and console are relayed
/// on the same connection as streams (<see cref="StreamOpenMessage"/> and the <c>stream.*</c> messages).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(HelloMessage), "hello")]
[JsonDerivedType(typeof(WelcomeMessage), "welcome")]
[JsonDerivedType(typeof(DesiredStateMessage), "desired")]
[JsonDerivedType(typeof(DesiredDeltaMessage), "desired.delta")]
[JsonDerivedType(typeof(ResyncMessage), "resync")]
[JsonDerivedType(typeof(ObservedStateMessage), "observed")]
[JsonDerivedType(typeof(ObservedDeltaMessage), "observed.delta")]
[JsonDerivedType(typeof(HeartbeatMessage), "heartbeat")]
[JsonDerivedType(typeof(ErrorMessage), "error")]
[JsonDerivedType(typeof(StreamOpenMessage), "stream.open")]
[JsonDerivedType(typeof(StreamOpenedMessage), "stream.opened")]
[JsonDerivedType(typeof(StreamDataMessage), "stream.data")]
[JsonDerivedType(typeof(StreamCreditMessage), "stream.credit")]
[JsonDerivedType(typeof(StreamCloseMessage), "stream.close")]
public abstract record AgentMessage
{
    /// <summary>Protocol version of this message. Peers reject versions they do not speak.</summary>
    [JsonPropertyName("v")]
    public int Version { get; init; } = AgentProtocol.Version;

    /// <summary>Unique per sender; an <see cref="ErrorMessage"/> names the id it answers.</summary>
    /// <remarks>A frame that came without one gets a fresh id, as before (the JSON source generator assigns null to an init-only
    /// property it did not find).</remarks>
    public string Id { get; init => field = value ?? NewId(); } = NewId();

    private static string NewId() => Guid.NewGuid().ToString("N")[..12];
}

/// <summary>Agent → control plane, first frame after connecting: who the agent is and what its host can do.</summary>
/// <param name="AgentName">The name the agent believes it has. The control plane knows the agent by its credential and
/// uses the name that credential was issued to; a different name here is ignored (and logged).</param>
/// <param name="Vcpus">CPUs of the host (0: not reported, an agent older than this field).</param>
/// <param name="MemoryBytes">Memory of the host, in bytes (0: not reported).</param>
public sealed record HelloMessage(string AgentName, string HostName, string AgentVersion, string Accelerator, int Vcpus = 0, long MemoryBytes = 0) : AgentMessage
{
    /// <summary>The agent's own age recipient (<c>age1…</c>): what secrets for its VMs are encrypted to. Optional.</summary>
    public string? Recipient { get; init; }
}

/// <summary>Control plane → agent, answer to <see cref="HelloMessage"/>.</summary>
public sealed record WelcomeMessage(string ControlPlaneVersion, TimeSpan HeartbeatInterval) : AgentMessage;

/// <summary>Agent ↔ control plane: "still here". An agent sends one every heartbeat interval in which it had no change to report.</summary>
public sealed record HeartbeatMessage : AgentMessage;

/// <summary>Either side: the frame with id <paramref name="InReplyTo"/> could not be handled.</summary>
public sealed record ErrorMessage(string? InReplyTo, string Code, string Message) : AgentMessage;
