namespace Hangar.Qemu;

/// <summary>
/// How one QEMU is confined: QEMU's seccomp filter (<c>-sandbox</c>) and the user it runs as once it has started
/// (<c>-runas UID:GID</c>). How QEMU is run, not what the VM is: <see cref="QemuCommandLine.HashForm"/> leaves it out,
/// so a changed confinement does not restart a running VM.
/// </summary>
/// <remarks>
/// QEMU 7.2 (Debian 12) installs its seccomp filter while it parses its options, before it opens devices, disks and
/// sockets and before <c>-runas</c> changes its user at the end of start-up. Measured here: <c>-daemonize</c>'s
/// fork is refused by <c>spawn=deny</c> (SIGSYS), and <c>-runas</c>' setuid by <c>elevateprivileges=deny</c> and
/// <c>=children</c> alike. So QEMU runs in the foreground (the launcher detaches it), and a QEMU that drops its user
/// allows the set*id calls; after the drop it has no capabilities and <c>NoNewPrivs</c> (QEMU sets it with the
/// filter), so those calls cannot raise it again, and <c>spawn=deny</c> keeps it from running any program.
/// </remarks>
/// <param name="Sandbox">Whether QEMU runs under <c>-sandbox on</c> with obsolete, spawn and resourcecontrol denied.</param>
/// <param name="Uid">The user QEMU drops to after start-up; null: it stays the user that started it.</param>
/// <param name="Gid">The group that goes with <paramref name="Uid"/> (its only group).</param>
public sealed record QemuConfinement(bool Sandbox, int? Uid = null, int? Gid = null)
{
    /// <summary>The seccomp filter, no change of user: a QEMU started by an unprivileged agent.</summary>
    public static QemuConfinement Sandboxed { get; } = new(true);

    /// <summary>No filter, no change of user (QEMU as it ran before Hangar confined it).</summary>
    public static QemuConfinement None { get; } = new(false);

    /// <summary>The filter and a drop to <paramref name="uid"/>:<paramref name="gid"/> after start-up.</summary>
    public static QemuConfinement RunAs(int uid, int gid) => new(true, uid, gid);

    /// <summary>The value of <c>-sandbox</c>: everything denied but what <c>-runas</c> needs.</summary>
    public string SandboxOptions => Uid is null
        ? "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
        : "on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny";

    /// <summary>Every problem, empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Uid is null != Gid is null) yield return "Confinement needs both Uid and Gid, or neither.";
        if (Uid is <= 0) yield return $"Confinement.Uid is {Uid}; QEMU drops to a user other than root (1 and up).";
        if (Gid is <= 0) yield return $"Confinement.Gid is {Gid}; QEMU drops to a group other than root (1 and up).";
    }

    public override string ToString() =>
        (Sandbox ? "seccomp sandbox" : "no sandbox") + (Uid is { } uid ? $", uid {uid} gid {Gid}" : ", same user as the agent");
}
