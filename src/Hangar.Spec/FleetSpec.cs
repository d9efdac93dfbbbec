using System.Runtime.CompilerServices;

namespace Hangar.Spec;

/// <summary>
/// A whole fleet file after parsing and validation: every VM, every image it names, fleet-wide settings.
/// Immutable with value equality; two specs that mean the same thing compare equal.
/// </summary>
/// <param name="Vms">The VMs, sorted by name (names are unique: they are the keys of the <c>vms</c> mapping).</param>
/// <param name="Images">Images declared in the file (the built-in <c>tiny</c> image is not listed here).</param>
public sealed record FleetSpec(ValueList<VmSpec> Vms, ValueList<ImageSpec> Images)
{
    /// <summary>
    /// For the stored form (<see cref="FleetJson"/>): a generation stored before <c>settings</c> existed reads with
    /// <see cref="FleetSettings.Default"/> (the JSON source generator would otherwise assign null to the missing
    /// init-only property). An explicit <c>null</c> is still refused: the parameter is not nullable.
    /// </summary>
    [System.Text.Json.Serialization.JsonConstructor]
    internal FleetSpec(ValueList<VmSpec> vms, ValueList<ImageSpec> images, FleetSettings settings = null!)
        : this(vms, images) => Settings = settings ?? FleetSettings.Default;

    /// <summary>The file's <c>settings</c>; <see cref="FleetSettings.Default"/> when it has none. Part of equality.</summary>
    public FleetSettings Settings { get; init; } = FleetSettings.Default;

    public VmSpec? FindVm(string name)
    {
        if (name is null || Vms.Count <= IndexThreshold) return Vms.FirstOrDefault(v => v.Name == name);
        return VmIndex.GetValue(this, BuildVmIndex).GetValueOrDefault(name);
    }

    public ImageSpec? FindImage(string name) => Images.FirstOrDefault(i => i.Name == name);

    // A name → VM index per instance, kept outside the record so that it takes no part in equality, `with` copies or
    // serialization (the table compares keys by reference and lets an entry go with its spec). A linear scan made
    // every caller that looks up each VM (FleetDiff, Status, the health gate) quadratic in the fleet's size.
    private const int IndexThreshold = 16;
    private static readonly ConditionalWeakTable<FleetSpec, Dictionary<string, VmSpec>> VmIndex = new();

    private static Dictionary<string, VmSpec> BuildVmIndex(FleetSpec spec)
    {
        var index = new Dictionary<string, VmSpec>(spec.Vms.Count, StringComparer.Ordinal);
        foreach (var vm in spec.Vms)
            if (vm?.Name is not null) index.TryAdd(vm.Name, vm); // first wins, as the linear scan did
        return index;
    }
}
