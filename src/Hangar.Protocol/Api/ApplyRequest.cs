namespace Hangar.Protocol.Api;

/// <summary>
/// Body of <c>POST /api/v1/apply</c>: a fleet file as text. The control plane parses and validates it again
/// (the CLI already did, for fast feedback), so the file's own name and directory come along for messages and
/// relative image paths.
/// </summary>
/// <param name="StartStopped">When true (as <c>hangar up</c> does), VMs stopped by <c>hangar vm stop</c> or
/// <c>hangar down</c> are set to run again; <c>hangar apply</c> leaves them as they are.</param>
public sealed record ApplyRequest(string FileName, string Text, string? BaseDirectory, string? Message, bool StartStopped);

/// <summary>Answer to an apply: the generation now current, whether it is new, and what changes per VM.</summary>
public sealed record ApplyResponse(long Generation, long Revision, bool Changed, IReadOnlyList<PlanEntry> Plan);

/// <summary>What an apply does to one VM.</summary>
public sealed record PlanEntry(string Vm, PlanAction Action, IReadOnlyList<string> Changes);

public enum PlanAction { Create, Update, Replace, Delete, Unchanged }
