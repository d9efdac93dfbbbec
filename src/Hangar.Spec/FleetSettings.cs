namespace Hangar.Spec;

/// <summary>The fleet file's <c>settings</c> mapping: choices that apply to the whole fleet rather than to one VM.</summary>
/// <param name="Orphans">What an agent does with a QEMU it finds running that no generation names.</param>
public sealed record FleetSettings(OrphanPolicy Orphans)
{
    /// <summary>The settings of a fleet file that has no <c>settings</c> mapping, or an empty one.</summary>
    public static FleetSettings Default { get; } = new(SpecDefaults.Orphans);

    /// <summary>Where automatic SSH host ports come from (<c>sshPorts</c>); null when the file names no range, which means
    /// <see cref="SpecDefaults.SshPorts"/>. Left out of the stored form when null, so older generations read the same.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PortRange? SshPorts { get; init; }

    /// <summary>The range automatic SSH ports are taken from.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public PortRange EffectiveSshPorts => SshPorts ?? SpecDefaults.SshPorts;

    /// <summary>Where automatic VNC ports come from (<c>vncPorts</c>); null for <see cref="SpecDefaults.VncPorts"/>, and
    /// left out of the stored form then.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PortRange? VncPorts { get; init; }

    /// <summary>The range automatic VNC ports are taken from.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public PortRange EffectiveVncPorts => VncPorts ?? SpecDefaults.VncPorts;
}

/// <summary>
/// What an agent does with an orphan: a QEMU it finds running on its host that no generation names (left over from
/// a deleted VM, a lost state file or another tool).
/// </summary>
public enum OrphanPolicy
{
    /// <summary>Stop it gracefully, as a VM is stopped (ACPI power-down, forced after a timeout). The default.</summary>
    Stop,
    /// <summary>Leave it running and only report it.</summary>
    Keep,
}
