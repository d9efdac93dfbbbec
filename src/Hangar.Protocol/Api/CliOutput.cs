using System.Text.Json.Serialization;
using Hangar.Spec;

namespace Hangar.Protocol.Api;

// The documents `hangar … --output json` prints beyond the API's own answers (docs/cli.md). Scripts rely on their
// field names: add fields, never rename.

/// <summary><c>hangar up|apply|rollback -o json</c> once the VMs converged (or not).</summary>
/// <param name="Outcome">converged, unhealthy or timedout.</param>
/// <param name="Generation">The generation the apply made, with its final status; null when nothing changed.</param>
public sealed record ApplyOutcome(ApplyResponse Apply, string Outcome, GenerationInfo? Generation, FleetStatus Status);

/// <summary><c>hangar down -o json</c>.</summary>
/// <param name="Outcome">notrunning (no server, nothing done), converged (all stopped) or timedout.</param>
public sealed record DownOutcome(string Outcome, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FleetStatus? Status = null);

/// <summary><c>hangar validate -o json</c>, and the errors of any command given an invalid fleet file.</summary>
/// <param name="Vms">The VMs the file declares, when it is valid.</param>
public sealed record ValidationOutcome(bool Valid, IReadOnlyList<SpecError> Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Vms = null);
