namespace Hangar.Spec;

/// <summary>What changes, VM by VM, when one fleet spec replaces another.</summary>
public static class FleetDiff
{
    /// <summary>
    /// Compares <paramref name="current"/> (null when nothing was applied yet) with <paramref name="next"/>. A VM whose
    /// QEMU configuration changes (image, CPUs, memory, disk, kernel arguments, forwards) must be replaced (restarted);
    /// one whose other settings change is updated in place (a changed <c>guest</c> at the VM's next boot). The result is sorted by VM name.
    /// </summary>
    /// <param name="keptGeneration">The number of the generation being replaced, which names a disk file that is kept
    /// aside (<c>disk.genN.qcow2</c>); null when the plan cannot know it (a diff between distant generations).</param>
    public static IReadOnlyList<VmChange> Compare(FleetSpec? current, FleetSpec next, long? keptGeneration = null)
    {
        var changes = new List<VmChange>();
        var names = (current?.Vms.Select(v => v.Name) ?? []).Concat(next.Vms.Select(v => v.Name))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var before = current?.FindVm(name);
            var after = next.FindVm(name);
            if (before is null) changes.Add(new VmChange(name, VmChangeKind.Create, Fields(null, after!, null, next, keptGeneration)));
            else if (after is null)
            {
                // The VM's files stay on its host; say so for its disk, which holds data.
                changes.Add(new VmChange(name, VmChangeKind.Delete, DiskChanges.HasDisk(before)
                    ? [new FieldChange(FleetFields.Disk, DiskChanges.SizeText(before), DiskChanges.SizeText(before), false,
                        "kept with its data until `hangar gc` or `hangar down --purge`")]
                    : []));
            }
            else if (before == after && ImageText(before, current) == ImageText(after, next))
            {
                // Equal records give equal texts for every field, so there is nothing to format and compare.
                changes.Add(new VmChange(name, VmChangeKind.Unchanged, new List<FieldChange>()));
            }
            else
            {
                var fields = Fields(before, after, current, next, keptGeneration);
                var kind = fields.Count == 0 ? VmChangeKind.Unchanged
                    : fields.Any(f => f.NeedsRestart) ? VmChangeKind.Replace : VmChangeKind.Update;
                changes.Add(new VmChange(name, kind, fields));
            }
        }
        return changes;
    }

    /// <summary>
    /// The changes outside the VMs: every field of <c>settings</c> and of each image under <c>images</c> (an image
    /// added or removed is one change). Against no current generation, settings are compared with their defaults.
    /// </summary>
    public static IReadOnlyList<FieldChange> CompareFleet(FleetSpec? current, FleetSpec next)
    {
        var list = new List<FieldChange>();
        void Add(string field, string? old, string? @new)
        {
            if (!string.Equals(old, @new, StringComparison.Ordinal)) list.Add(new FieldChange(field, old, @new, false));
        }
        var settingsBefore = current?.Settings ?? FleetSettings.Default;
        Add($"{FleetFields.Settings}.{FleetFields.Orphans}", SpecKeywords.TextOf(SpecKeywords.Orphans, settingsBefore.Orphans),
            SpecKeywords.TextOf(SpecKeywords.Orphans, next.Settings.Orphans));
        var names = (current?.Images.Select(i => i.Name) ?? []).Concat(next.Images.Select(i => i.Name))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var before = current?.FindImage(name);
            var after = next.FindImage(name);
            var field = $"{FleetFields.Images}.{name}";
            if (before is null) Add(field, null, ImageSummary(after!));
            else if (after is null) Add(field, ImageSummary(before), "removed");
            else
            {
                Add($"{field}.{FleetFields.Path}", before.Path ?? "none", after.Path ?? "none");
                Add($"{field}.{FleetFields.Url}", before.Url ?? "none", after.Url ?? "none");
                Add($"{field}.{FleetFields.Sha256}", before.Sha256, after.Sha256);
                Add($"{field}.{FleetFields.Format}", SpecKeywords.TextOf(SpecKeywords.Format, before.Format),
                    SpecKeywords.TextOf(SpecKeywords.Format, after.Format));
                Add($"{field}.{FleetFields.MinMemory}", before.MinMemory?.ToString() ?? "none", after.MinMemory?.ToString() ?? "none");
            }
        }
        return list;
    }

    private static string ImageSummary(ImageSpec image) =>
        $"{image.Source} ({SpecKeywords.TextOf(SpecKeywords.Format, image.Format)}, sha256:{image.Sha256[..Math.Min(12, image.Sha256.Length)]}" +
        (image.MinMemory is { } floor ? $", minMemory {floor})" : ")");

    private static List<FieldChange> Fields(VmSpec? a, VmSpec b, FleetSpec? fleetA, FleetSpec fleetB, long? keptGeneration)
    {
        var list = new List<FieldChange>();
        void Add(string field, string? old, string? @new, bool restart)
        {
            if (!string.Equals(old, @new, StringComparison.Ordinal)) list.Add(new FieldChange(field, old, @new, restart));
        }
        Add("image", a is null ? null : ImageText(a, fleetA), ImageText(b, fleetB), true);
        Add("vcpu", a?.Vcpu.ToString(), b.Vcpu.ToString(), true);
        Add("memory", a?.Memory.ToString(), b.Memory.ToString(), true);
        Add("disk", a is null ? null : DiskChanges.SizeText(a), DiskChanges.SizeText(b), true);
        Add("kernelArgs", a is null ? null : a.KernelArgs ?? "", b.KernelArgs ?? "", true);
        Add("forwards", a is null ? null : string.Join(", ", a.Forwards), string.Join(", ", b.Forwards), true);
        Add("autostart", a?.Autostart.ToString().ToLowerInvariant(), b.Autostart.ToString().ToLowerInvariant(), false);
        Add("restart", a is null ? null : RestartText(a.Restart), RestartText(b.Restart), false);
        Add("health", a is null ? null : HealthText(a.Health), HealthText(b.Health), false);
        Add(FleetFields.Placement, a?.Placement.ToString(), b.Placement.ToString(), false);
        Add(FleetFields.Guest, a is null ? null : GuestText.Of(a.Guest), GuestText.Of(b.Guest), false);
        Add(FleetFields.Credentials, a is null ? null : CredentialText.Of(a.Credentials), CredentialText.Of(b.Credentials), true);
        Add(FleetFields.Identity, a is null ? null : CredentialText.Of(a.Identity), CredentialText.Of(b.Identity), true);
        Add(FleetFields.Display, a is null ? null : DisplayText(a), DisplayText(b), true);
        Add(FleetFields.Volumes, a is null ? null : VolumesText(a), VolumesText(b), true);
        Add(FleetFields.Interfaces, a is null ? null : InterfacesText(a), InterfacesText(b), true);
        Add(FleetFields.Vsock, a is null ? null : VsockText(a), VsockText(b), true);
        Add(FleetFields.Shares, a is null ? null : SharesText(a), SharesText(b), true);
        Add(FleetFields.Balloon, a is null ? null : BalloonText(a), BalloonText(b), true);
        if (a is not null && list.FindIndex(f => f.Field == FleetFields.Guest) is var guest and >= 0)
            list[guest] = list[guest] with { Effect = GuestText.ChangeEffect };
        if (a is null) list.RemoveAll(f => f.New is null or "" or "none" || (f.Field == FleetFields.Placement && f.New == VmPlacement.Anywhere.ToString()));
        DiskChanges.Describe(list, a, b, keptGeneration);
        return list;
    }

    private static string ImageText(VmSpec vm, FleetSpec? fleet) =>
        fleet?.FindImage(vm.Image) is { } image ? $"{vm.Image} (sha256:{image.Sha256[..Math.Min(12, image.Sha256.Length)]})" : vm.Image;

    /// <summary><c>data 10GiB qcow2, scratch 64MiB raw</c>, or <c>none</c>.</summary>
    public static string VolumesText(VmSpec vm) => vm.Volumes is { Count: > 0 } volumes ? string.Join(", ", volumes) : "none";

    /// <summary><c>user 52:54:00:…, bridge br0 52:54:00:… 10.0.0.2/24</c>; <c>user</c> for the default; <c>none</c> for an empty list.</summary>
    public static string InterfacesText(VmSpec vm) => vm.Interfaces is not { } interfaces ? "user" : interfaces.Count == 0 ? "none" : string.Join(", ", interfaces);

    /// <summary><c>data /srv/data at /mnt/data ro, src /home/me/src</c>, or <c>none</c>.</summary>
    public static string SharesText(VmSpec vm) => vm.Shares is { Count: > 0 } shares ? string.Join(", ", shares) : "none";

    /// <summary><c>virtio</c>, or <c>none</c>.</summary>
    public static string BalloonText(VmSpec vm) => vm.Balloon ? "virtio" : "none";

    /// <summary><c>cid 3</c>, or <c>none</c>.</summary>
    public static string VsockText(VmSpec vm) => vm.VsockCid is { } cid ? $"cid {cid}" : "none";

    /// <summary><c>vnc on 127.0.0.1:5900</c>, or <c>none</c>.</summary>
    public static string DisplayText(VmSpec vm) => vm.VncPort is { } port ? $"vnc on 127.0.0.1:{port}" : "none";

    public static string RestartText(RestartPolicy policy) => policy switch
    {
        RestartPolicy.Always => "always",
        RestartPolicy.OnFailure => "on-failure",
        _ => "never",
    };

    /// <summary>
    /// A health check as one line: <c>serial "marker" within 120s</c>,
    /// <c>tcp 80 within 60s, every 10s, unhealthy after 3 failures</c>, <c>http 80 GET / status 200-399 …</c>,
    /// with <c>, restarts when unhealthy</c> when it does; <c>none</c> for no check.
    /// </summary>
    public static string HealthText(HealthCheckSpec? health)
    {
        if (health is null) return "none";
        var within = $"within {Seconds(health.Timeout)}s";
        var text = health.Kind switch
        {
            HealthCheckKind.Serial => $"serial \"{health.SerialMarker}\" {within}",
            HealthCheckKind.Http => $"http {health.Http!.GuestPort} GET {health.Http.Path} status {health.Http.StatusText} {within}",
            HealthCheckKind.Exec => $"exec [{string.Join(", ", health.Exec!)}] {within}",
            _ => $"tcp {health.TcpGuestPort} {within}",
        };
        if (health.Kind != HealthCheckKind.Serial)
            text += $", every {Seconds(health.Interval)}s, unhealthy after {health.Failures} {(health.Failures == 1 ? "failure" : "failures")}";
        if (health.Restart) text += ", restarts when unhealthy";
        return text;
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What happens to one VM.</summary>
public sealed record VmChange(string Vm, VmChangeKind Kind, IReadOnlyList<FieldChange> Fields);

public enum VmChangeKind { Create, Update, Replace, Delete, Unchanged }

/// <summary>
/// One field that changes; <see cref="NeedsRestart"/> when the running QEMU cannot take it live. <see cref="Effect"/>
/// says in plain words what the change does when that is more than the new value (what happens to a VM's disk).
/// A field whose <see cref="Old"/> equals <see cref="New"/> does not change and is listed only for its effect.
/// </summary>
public sealed record FieldChange(string Field, string? Old, string? New, bool NeedsRestart, string? Effect = null)
{
    public override string ToString() =>
        (Old is null || Old == New ? $"{Field}: {New}" : $"{Field}: {Old} → {New}") + (Effect is null ? "" : $" — {Effect}");
}
