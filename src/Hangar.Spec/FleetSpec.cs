namespace Hangar.Spec;

/// <summary>
/// A whole fleet file after parsing and validation: every VM, every image it names, fleet-wide settings.
/// Immutable with value equality; two specs that mean the same thing compare equal.
/// </summary>
/// <param name="Vms">The VMs, sorted by name (names are unique: they are the keys of the <c>vms</c> mapping).</param>
/// <param name="Images">Images declared in the file (the built-in <c>tiny</c> image is not listed here).</param>
public sealed record FleetSpec(ValueList<VmSpec> Vms, ValueList<ImageSpec> Images)
{
    /// <summary>The file's <c>settings</c>; <see cref="FleetSettings.Default"/> when it has none. Part of equality.</summary>
    public FleetSettings Settings { get; init; } = FleetSettings.Default;

    public VmSpec? FindVm(string name) => Vms.FirstOrDefault(v => v.Name == name);
    public ImageSpec? FindImage(string name) => Images.FirstOrDefault(i => i.Name == name);
}
