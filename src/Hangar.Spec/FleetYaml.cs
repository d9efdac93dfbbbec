using System.Globalization;
using System.Text;
using Hangar.Spec.Parsing;

namespace Hangar.Spec;

/// <summary>
/// Writes a <see cref="FleetSpec"/> back as a fleet file (YAML) that a person can read, for instance to show what a
/// stored generation held. Every VM field is written, defaults included; <c>settings</c> only when they differ from
/// the defaults. <c>FleetParser.Parse(Write(spec), current: spec, secrets: the same).Spec == spec</c> for every spec
/// the parser produces: the automatic SSH forward is left out of <c>forwards</c> (it is written as a comment), as the
/// file did, and comes back with the port <c>current</c> gave it; secrets and host keys come from the secrets.
/// </summary>
/// <remarks>
/// The fleet file cannot say everything a hand-built spec can: a <c>tiny</c> VM without a health check reads back
/// with the default one, an empty <c>kernelArgs</c> is an error, and so on. Such specs are written all the same.
/// </remarks>
public static class FleetYaml
{
    private const string Indent = "  ";

    // Plain scalars that YAML 1.2 (or 1.1, which other tools still speak) would read as something other than a string.
    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
        { "null", "true", "false", "yes", "no", "on", "off", "y", "n" };

    public static string Write(FleetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var yaml = new StringBuilder();
        if (spec.Settings != FleetSettings.Default)
        {
            Line(yaml, 0, $"{FleetFields.Settings}:");
            Line(yaml, 1, $"{FleetFields.Orphans}: {SpecKeywords.TextOf(SpecKeywords.Orphans, spec.Settings.Orphans)}");
            if (spec.Settings.SshPorts is { } ssh) Line(yaml, 1, $"{FleetFields.SshPorts}: {Quoted(ssh.ToString())}");
            if (spec.Settings.VncPorts is { } vnc) Line(yaml, 1, $"{FleetFields.VncPorts}: {Quoted(vnc.ToString())}");
            yaml.Append('\n');
        }
        if (spec.Images.Count > 0)
        {
            Line(yaml, 0, $"{FleetFields.Images}:");
            foreach (var image in spec.Images) WriteImage(yaml, image);
            yaml.Append('\n');
        }
        if (spec.Vms.Count == 0) Line(yaml, 0, $"{FleetFields.Vms}: {{}}");
        else
        {
            Line(yaml, 0, $"{FleetFields.Vms}:");
            for (var i = 0; i < spec.Vms.Count; i++)
            {
                if (i > 0) yaml.Append('\n');
                WriteVm(yaml, spec.Vms[i]);
            }
        }
        return yaml.ToString();
    }

    private static void WriteImage(StringBuilder yaml, ImageSpec image)
    {
        Line(yaml, 1, $"{Name(image.Name)}:");
        if (image.Path is { } path) Line(yaml, 2, $"{FleetFields.Path}: {Quoted(path)}");
        if (image.Url is { } url) Line(yaml, 2, $"{FleetFields.Url}: {Quoted(url)}");
        Line(yaml, 2, $"{FleetFields.Sha256}: {Quoted(image.Sha256)}");
        Line(yaml, 2, $"{FleetFields.Format}: {SpecKeywords.TextOf(SpecKeywords.Format, image.Format)}");
        if (image.MinMemory is { } minMemory) Line(yaml, 2, $"{FleetFields.MinMemory}: {minMemory}");
    }

    private static void WriteVm(StringBuilder yaml, VmSpec vm)
    {
        Line(yaml, 1, $"{Name(vm.Name)}:");
        Line(yaml, 2, $"{FleetFields.Image}: {Name(vm.Image)}");
        Line(yaml, 2, $"{FleetFields.Vcpu}: {vm.Vcpu.ToString(CultureInfo.InvariantCulture)}");
        Line(yaml, 2, $"{FleetFields.Memory}: {vm.Memory}");
        if (vm.Disk is { } disk) Line(yaml, 2, $"{FleetFields.Disk}: {disk}");
        if (vm.KernelArgs is { } kernelArgs) Line(yaml, 2, $"{FleetFields.KernelArgs}: {Quoted(kernelArgs)}");
        // Written even when empty, so that the field is visible: "forwards: []". The automatic SSH forward is Hangar's.
        var automatic = vm.SshPort is { } sshPort ? new PortForward(sshPort, SpecDefaults.SshGuestPort, PortProtocol.Tcp) : null;
        Line(yaml, 2, $"{FleetFields.Forwards}: [{string.Join(", ", vm.Forwards.Where(f => f != automatic).Select(f => Quoted(f.ToString())))}]"
            + (automatic is null ? "" : $"  # and {automatic}, the automatic SSH port"));
        Line(yaml, 2, $"{FleetFields.Autostart}: {(vm.Autostart ? "true" : "false")}");
        Line(yaml, 2, $"{FleetFields.Restart}: {SpecKeywords.TextOf(SpecKeywords.Restart, vm.Restart)}");
        WriteHealth(yaml, vm);
        WritePlacement(yaml, vm.Placement);
        if (vm.Guest is { } guest) WriteGuest(yaml, guest);
        if (vm.Credentials is { } credentials) WriteCredentials(yaml, credentials);
        Line(yaml, 2, $"{FleetFields.Identity}: {(vm.Identity is null ? "false" : "true")}"
            + (vm.Identity is { Fingerprint: { } fingerprint } ? $"  # ssh-ed25519 {fingerprint}" : ""));
        if (vm.Volumes is { } volumes)
        {
            Line(yaml, 2, $"{FleetFields.Volumes}:");
            foreach (var volume in volumes)
                Line(yaml, 3, $"{volume.Name}: {{{FleetFields.Size}: {volume.Size}, {FleetFields.Format}: {SpecKeywords.TextOf(SpecKeywords.Format, volume.Format)}}}");
        }
        Line(yaml, 2, $"{FleetFields.Display}: {(vm.VncPort is null ? "none" : "vnc")}" + (vm.VncPort is { } port ? $"  # 127.0.0.1:{port}" : ""));
        if (vm.Interfaces is { } interfaces)
        {
            Line(yaml, 2, $"{FleetFields.Interfaces}:" + (interfaces.Count == 0 ? " []" : ""));
            foreach (var nic in interfaces)
                Line(yaml, 3, $"- {{{FleetFields.InterfaceType}: {SpecKeywords.TextOf(SpecKeywords.Interface, nic.Type)}"
                    + (nic.Bridge is { } bridge ? $", {FleetFields.Bridge}: {Quoted(bridge)}" : "")
                    + $", {FleetFields.Mac}: {Quoted(nic.Mac)}" + (nic.Address is { } address ? $", {FleetFields.Address}: {Quoted(address)}" : "") + "}");
        }
        if (vm.VsockCid is { } cid) Line(yaml, 2, $"{FleetFields.Vsock}: {cid.ToString(CultureInfo.InvariantCulture)}");
        if (vm.Shares is { } shares)
        {
            Line(yaml, 2, $"{FleetFields.Shares}:");
            foreach (var share in shares)
                Line(yaml, 3, $"{share.Tag}: {{{FleetFields.Source}: {Quoted(share.Source)}"
                    + (share.MountPoint is { } at ? $", {FleetFields.MountPoint}: {Quoted(at)}" : "")
                    + (share.ReadOnly ? $", {FleetFields.ReadOnly}: true" : "") + "}");
        }
        if (vm.Balloon) Line(yaml, 2, $"{FleetFields.Balloon}: true");
    }

    private static void WritePlacement(StringBuilder yaml, VmPlacement placement)
    {
        if (placement == VmPlacement.Anywhere) return;
        Line(yaml, 2, $"{FleetFields.Placement}:");
        if (placement.Host is { } host) Line(yaml, 3, $"{FleetFields.Host}: {Quoted(host)}");
        if (placement.Labels.Count > 0)
            Line(yaml, 3, $"{FleetFields.Labels}: {{{string.Join(", ", placement.Labels.Select(l => $"{Quoted(l.Key)}: {Quoted(l.Value)}"))}}}");
        Line(yaml, 3, $"{FleetFields.Movable}: {(placement.Movable ? "true" : "false")}");
    }

    private static void WriteGuest(StringBuilder yaml, GuestSpec guest)
    {
        Line(yaml, 2, $"{FleetFields.Guest}:");
        Line(yaml, 3, $"{FleetFields.Hostname}: {Quoted(guest.Hostname)}");
        Line(yaml, 3, $"{FleetFields.Users}:" + (guest.Users.Count == 0 ? " []" : ""));
        foreach (var user in guest.Users)
        {
            Line(yaml, 4, $"- {FleetFields.UserName}: {Quoted(user.Name)}");
            Line(yaml, 5, $"{FleetFields.SshAuthorizedKeys}: [{string.Join(", ", user.SshAuthorizedKeys.Select(Quoted))}]");
            Line(yaml, 5, $"{FleetFields.Sudo}: {(user.Sudo ? "true" : "false")}");
        }
        if (guest.RootPasswordHash is { } hash) Line(yaml, 3, $"{FleetFields.RootPassword}: {Quoted(hash)}");
        Line(yaml, 3, $"{FleetFields.Packages}: [{string.Join(", ", guest.Packages.Select(Quoted))}]");
        Line(yaml, 3, $"{FleetFields.WriteFiles}:" + (guest.WriteFiles.Count == 0 ? " []" : ""));
        foreach (var file in guest.WriteFiles)
        {
            Line(yaml, 4, $"- {FleetFields.FilePath}: {Quoted(file.Path)}");
            Line(yaml, 5, $"{FleetFields.Content}: {Quoted(file.Content)}");
            if (file.Permissions is { } mode) Line(yaml, 5, $"{FleetFields.Permissions}: {Quoted(mode)}");
        }
        Line(yaml, 3, $"{FleetFields.Runcmd}: [{string.Join(", ", guest.Runcmd.Select(Quoted))}]");
        if (guest.Timezone is { } timezone) Line(yaml, 3, $"{FleetFields.Timezone}: {Quoted(timezone)}");
    }

    private static void WriteCredentials(StringBuilder yaml, ValueList<CredentialSpec> credentials)
    {
        Line(yaml, 2, $"{FleetFields.Credentials}:");
        foreach (var credential in credentials)
        {
            var entry = credential.Kind switch
            {
                CredentialKind.Secret => $"{FleetFields.Secret}: {Quoted(credential.Source)}" + (credential.DecryptInGuest ? $", {FleetFields.Decrypt}: guest" : ""),
                CredentialKind.Value => $"{FleetFields.Value}: {Quoted(credential.Source)}",
                _ => $"{FleetFields.File}: {Quoted(credential.Source)}",
            };
            Line(yaml, 3, $"{Quoted(credential.Name)}: {{{entry}}}");
        }
    }

    private static void WriteHealth(StringBuilder yaml, VmSpec vm)
    {
        if (vm.Health is not { } health) return;
        Line(yaml, 2, $"{FleetFields.Health}:");
        if (health.SerialMarker is { } marker) Line(yaml, 3, $"{FleetFields.Serial}: {Quoted(marker)}");
        if (health.TcpGuestPort is { } port) Line(yaml, 3, $"{FleetFields.Tcp}: {port.ToString(CultureInfo.InvariantCulture)}");
        if (health.Http is { } http)
        {
            Line(yaml, 3, $"{FleetFields.Http}:");
            Line(yaml, 4, $"{FleetFields.Port}: {http.GuestPort.ToString(CultureInfo.InvariantCulture)}");
            Line(yaml, 4, $"{FleetFields.HttpPath}: {Quoted(http.Path)}");
            Line(yaml, 4, $"{FleetFields.Status}: {Quoted(http.StatusText)}");
        }
        if (health.Exec is { } exec) Line(yaml, 3, $"{FleetFields.Exec}: [{string.Join(", ", exec.Select(Quoted))}]");
        Line(yaml, 3, $"{FleetFields.Timeout}: {DurationSyntax.Format(health.Timeout)}");
        if (health.Kind != HealthCheckKind.Serial)
        {
            Line(yaml, 3, $"{FleetFields.Interval}: {DurationSyntax.Format(health.Interval)}");
            Line(yaml, 3, $"{FleetFields.Failures}: {health.Failures.ToString(CultureInfo.InvariantCulture)}");
        }
        Line(yaml, 3, $"{FleetFields.HealthRestart}: {(health.Restart ? "true" : "false")}");
    }

    private static void Line(StringBuilder yaml, int depth, string text)
    {
        for (var i = 0; i < depth; i++) yaml.Append(Indent);
        yaml.Append(text).Append('\n');
    }

    /// <summary>A VM or image name: plain when it is a valid name that no YAML reader takes for a non-string.</summary>
    private static string Name(string name) =>
        SpecPatterns.NameRegex.IsMatch(name) && !ReservedWords.Contains(name) ? name : Quoted(name);

    /// <summary>
    /// A YAML double-quoted scalar. Everything outside YAML's printable set, and the line breaks YAML 1.1 knows
    /// (U+0085, U+2028, U+2029), is escaped, so the text stays on one line and reads back exactly.
    /// </summary>
    private static string Quoted(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': quoted.Append("\\\""); continue;
                case '\\': quoted.Append("\\\\"); continue;
                case '\0': quoted.Append("\\0"); continue;
                case '\t': quoted.Append("\\t"); continue;
                case '\n': quoted.Append("\\n"); continue;
                case '\r': quoted.Append("\\r"); continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                quoted.Append(c).Append(text[++i]);
                continue;
            }
            var printable = c is >= ' ' and <= '~' or >= '\u00A0' and <= '\uD7FF' or >= '\uE000' and <= '\uFFFD'
                && c is not ('\u2028' or '\u2029' or '\uFEFF');
            if (printable) quoted.Append(c);
            else if (c <= '\u00FF') quoted.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        return quoted.Append('"').ToString();
    }
}
