namespace Hangar.Spec;

/// <summary>
/// What a change does to a VM's disk, in the plan's words. The agent does exactly this (see docs/fleet-file.md,
/// "What happens to a disk when its VM changes"):
/// <code>
///  image changes ─────────────► new disk from the new image; the old file is kept as disk.genN.qcow2
///  disk grows (same image) ───► resized: online through QMP when nothing else restarts the VM, else before start
///  disk shrinks (same image) ─► a plan error; a rollback to a smaller size keeps the larger disk
///  disk added / removed (tiny)► a blank disk attached / the disk detached and its file kept (restart)
///  anything else restarts ────► the disk is kept with its data
/// </code>
/// </summary>
public static class DiskChanges
{
    /// <summary>Whether the VM has a disk of its own: always with a disk image, with <c>tiny</c> only when it names a size.</summary>
    public static bool HasDisk(VmSpec vm) => BuiltinImages.IsDisk(vm.Image) || vm.Disk is not null;

    /// <summary>The disk's size as the plan shows it: <c>1GiB</c>, <c>none</c> (tiny) or <c>image's size</c>.</summary>
    public static string SizeText(VmSpec vm) =>
        vm.Disk?.ToString() ?? (BuiltinImages.IsDisk(vm.Image) ? "image's size" : "none");

    /// <summary>The name under which an old disk is kept when generation <paramref name="generation"/> is replaced.</summary>
    public static string KeptDiskName(long generation) => $"disk.gen{generation}.qcow2";

    /// <summary>
    /// Gives the <c>image</c> and <c>disk</c> changes of <paramref name="fields"/> their effect on the disk, decides
    /// whether a disk change needs a restart, and adds a <c>disk</c> line when the VM restarts with its disk kept.
    /// </summary>
    internal static void Describe(List<FieldChange> fields, VmSpec? a, VmSpec b, long? keptGeneration)
    {
        var image = fields.FindIndex(f => f.Field == FleetFields.Image);
        var disk = fields.FindIndex(f => f.Field == FleetFields.Disk);
        var newDisk = !BuiltinImages.IsDisk(b.Image) ? "a new blank disk" : $"a new disk on image {b.Image}";
        if (a is null)
        {
            if (disk >= 0) fields[disk] = fields[disk] with { Effect = newDisk };
            return;
        }
        var kept = $"its old disk file is kept{(keptGeneration is { } g ? $" as {KeptDiskName(g)}" : "")} until `hangar gc`";
        var (had, has) = (HasDisk(a), HasDisk(b));
        if (image >= 0)
        {
            var effect = (had, has) switch
            {
                (true, true) => $"the VM's data is replaced: it starts on {newDisk}; {kept}",
                (true, false) => $"the VM's data is replaced: it starts without a disk; {kept}",
                (false, true) => $"the VM starts on {newDisk}",
                _ => null,
            };
            fields[image] = fields[image] with { Effect = effect };
            if (disk >= 0 && has) fields[disk] = fields[disk] with { Effect = "the size of the new disk" };
            return;
        }
        if (disk >= 0)
        {
            var restarts = fields.Any(f => f.NeedsRestart && f.Field != FleetFields.Disk);
            fields[disk] = (had, has) switch
            {
                (false, true) => fields[disk] with { Effect = "a new blank disk is attached; the VM restarts" },
                (true, false) => fields[disk] with { Effect = $"the disk is detached; the VM restarts; {kept}" },
                _ when b.Disk is { } size && (a.Disk is not { } before || size > before) => fields[disk] with
                {
                    NeedsRestart = false,
                    Effect = (a.Disk is null ? "grows unless the image is as large already" : "grows")
                        + (restarts ? " before the VM restarts" : " online, without a restart (before its next start if it is stopped)")
                        + "; the data is kept",
                },
                _ => fields[disk] with { NeedsRestart = false, Effect = $"stays {a.Disk?.ToString() ?? "as it is"}: a disk never shrinks; the data is kept" },
            };
            return;
        }
        if (has && fields.Any(f => f.NeedsRestart))
            fields.Add(new FieldChange(FleetFields.Disk, SizeText(b), SizeText(b), false, "kept with its data across the restart"));
    }
}
