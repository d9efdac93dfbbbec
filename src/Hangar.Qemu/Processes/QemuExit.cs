namespace Hangar.Qemu;

/// <summary>How a QEMU process ended.</summary>
/// <param name="GuestShutdown">True when the guest itself shut down: QEMU sent a <c>SHUTDOWN</c> event with
/// <c>"guest": true</c> before the connection closed. False for a crash, a kill, or a host-side
/// <c>quit</c>/SIGTERM (those send <c>SHUTDOWN</c> with <c>"guest": false</c>).</param>
/// <param name="ShutdownReason">The <c>reason</c> of the <c>SHUTDOWN</c> event (<c>guest-shutdown</c>,
/// <c>host-qmp-quit</c>, <c>host-signal</c>, …); null when QEMU ended without one, i.e. it crashed or was killed.</param>
public sealed record QemuExit(bool GuestShutdown, string? ShutdownReason);
