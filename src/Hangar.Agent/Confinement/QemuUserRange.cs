using System.Globalization;

namespace Hangar.Agent.Confinement;

/// <summary>
/// The user ids an agent running as root gives its QEMUs, one per VM, each its own group too (<c>--qemu-uids</c>,
/// <c>HANGAR_QEMU_UIDS</c>). Numeric ids without a passwd entry, as systemd's DynamicUser: nothing to create on the host.
/// </summary>
/// <remarks>
/// One id per VM rather than one shared <c>hangar-qemu</c> user: QEMUs of one user could signal each other (kill one
/// another's VM); of different users they cannot. Their files stay root's (QEMU opens them before it drops its user),
/// so no VM's QEMU can open another's disk, log or socket, nor its own again. The default range,
/// 1879048192–1879113727 (0x70000000 and 65,536 ids up), lies in the block systemd leaves unassigned, above its
/// container range and below the foreign-UID range (systemd's docs/UIDS-GIDS.md).
/// </remarks>
public sealed record QemuUserRange(int First, int Count)
{
    public static QemuUserRange Default { get; } = new(0x7000_0000, 65_536);

    public int Last => First + Count - 1;

    /// <summary>
    /// What the agent uses when nothing says otherwise: <see cref="Default"/> as root, none otherwise (an unprivileged
    /// agent cannot change QEMU's user; its QEMUs are its own user, sandboxed all the same).
    /// </summary>
    public static QemuUserRange? ForThisProcess(string? setting = null)
    {
        var source = setting is null ? "HANGAR_QEMU_UIDS" : "--qemu-uids";
        setting ??= Environment.GetEnvironmentVariable("HANGAR_QEMU_UIDS");
        if (string.IsNullOrWhiteSpace(setting)) return Environment.IsPrivilegedProcess ? Default : null;
        var range = Parse(setting, source);
        if (range is not null && !Environment.IsPrivilegedProcess)
            throw new InvalidOperationException($"{source} is '{setting.Trim()}', and this agent is not root: only root can change QEMU's user. Run the agent as root, or leave {source} unset (QEMU then runs as the agent's own user, sandboxed).");
        return range;
    }

    /// <summary>
    /// <c>FIRST-LAST</c> (ids 1 and up, at most 2³¹−2), or <c>off</c>: QEMU stays the agent's user.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither form; the message names <paramref name="source"/>.</exception>
    public static QemuUserRange? Parse(string text, string source)
    {
        text = text.Trim();
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase)) return null;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && int.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && int.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && first >= 1 && last >= first && last < int.MaxValue)
        {
            return new QemuUserRange(first, last - first + 1);
        }
        throw new InvalidOperationException($"{source} is '{text}'; it must be FIRST-LAST (user ids from 1 to {int.MaxValue - 1}, FIRST ≤ LAST), or 'off' to keep QEMU as the agent's user.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}
