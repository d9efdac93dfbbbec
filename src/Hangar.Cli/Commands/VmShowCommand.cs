using System.CommandLine;
using System.Globalization;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar vm show NAME</c>: one VM in detail, with what its guest agent says (OS, host name, addresses).</summary>
public static class VmShowCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var command = new Command("show", "Show one VM: its settings, state, and the guest's OS, host name and IP addresses (from its guest agent).") { name };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var vm = await client.GetVmAsync(context.Get(name), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(vm);
            else Write(vm);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One <c>field: value</c> line each, in a fixed order, so scripts may also read the text.</summary>
    public static void Write(VmStatus vm)
    {
        var lines = new List<(string, string)>
        {
            ("name", vm.Name),
            ("image", vm.Image),
            ("vcpu", vm.Vcpu.ToString(CultureInfo.InvariantCulture)),
            ("memory", vm.Memory),
            ("agent", vm.Agent ?? "-"),
            ("phase", StatusView.Phase(vm.Phase) + (vm.Detail is { } d ? $" ({d})" : "")),
            ("health", StatusView.Health(vm.Health) + (vm.HealthDetail is { } h ? $" ({h})" : "")),
            ("accelerator", vm.Accelerator ?? "-"),
            ("confinement", vm.Confinement ?? "-"),
            ("pid", vm.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-"),
            ("started", vm.StartedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-"),
            ("forwards", vm.Forwards.Count == 0 ? "-" : string.Join(", ", vm.Forwards)),
            ("ssh", vm.Ssh is { } ssh ? $"127.0.0.1:{ssh.Port}" + (ssh.User is { } u ? $" as {u}" : "") : "-"),
            ("vnc", vm.Vnc is { } vnc ? $"127.0.0.1:{vnc}" : "-"),
            ("interfaces", vm.Interfaces is { } nics ? (nics.Count == 0 ? "none" : string.Join(", ", nics.Select(InterfaceText))) : "user (default)"),
            ("vsock", vm.VsockCid is { } cid ? $"cid {cid.ToString(CultureInfo.InvariantCulture)}" : "-"),
            ("shares", vm.Shares is { Count: > 0 } shares ? string.Join(", ", shares.Select(ShareText)) : "-"),
            ("balloon", vm.Balloon is not { } balloon ? "-" : balloon.ActualBytes is { } actual ? $"{(actual / (double)Hangar.Spec.ByteSize.MiB).ToString("0.#", CultureInfo.InvariantCulture)}MiB in the guest (hangar vm set {vm.Name} --balloon SIZE)" : "yes (not running)"),
            ("host key", vm.HostKey is { } key ? $"{new Hangar.Spec.VmIdentity(key).Fingerprint} (hangar vm identity {vm.Name})" : "-"),
            ("guest agent", vm.Guest is null ? "not answering" : "answering"),
            ("guest os", vm.Guest?.Os ?? "-"),
            ("guest hostname", vm.Guest?.HostName ?? "-"),
            ("guest addresses", vm.Guest is { Addresses.Count: > 0 } g ? string.Join(", ", g.Addresses) : "-"),
            ("restarts", vm.Restarts.ToString(CultureInfo.InvariantCulture)),
        };
        if (StatusView.Problem(vm) is { } problem) lines.Add(("problem", problem));
        foreach (var (field, value) in lines) Console.Out.WriteLine($"{field + ":",-17}{value}");
    }

    /// <summary><c>data /srv/data at /mnt/data (read-only)</c>.</summary>
    private static string ShareText(VmShareInfo share) =>
        $"{share.Tag} {share.Source}" + (share.MountPoint is { } at ? $" at {at}" : "") + (share.ReadOnly ? " (read-only)" : "");

    /// <summary><c>user 52:54:00:…</c>, <c>bridge br0 52:54:00:… 10.0.0.2/24 (tap hg…n1)</c>.</summary>
    private static string InterfaceText(VmInterfaceInfo nic) =>
        nic.Type + (nic.Bridge is { } bridge ? " " + bridge : "") + " " + nic.Mac + (nic.Address is { } address ? " " + address : "")
        + (nic.Tap is { } tap ? $" (tap {tap})" : "");
}
