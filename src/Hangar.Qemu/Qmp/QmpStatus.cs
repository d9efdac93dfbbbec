namespace Hangar.Qemu;

/// <summary>The answer to <c>query-status</c>.</summary>
/// <param name="Running">Whether guest CPUs run.</param>
/// <param name="Status">QEMU's run state: <c>prelaunch</c> (started with -S, never continued), <c>running</c>,
/// <c>paused</c>, <c>shutdown</c>, <c>internal-error</c>, …</param>
public sealed record QmpStatus(bool Running, string Status);
