namespace Hangar.Qemu;

/// <summary>The first message a QMP server sends: <c>{"QMP": {"version": …, "capabilities": […]}}</c>.</summary>
/// <param name="Version">QEMU's version.</param>
/// <param name="Package">The distribution's package string, e.g. <c>Debian 1:7.2+dfsg-7</c>; empty when absent.</param>
public sealed record QmpGreeting(QmpVersion Version, string Package);
