using System.Globalization;

namespace Hangar.Qemu;

/// <summary>
/// Builds QEMU's arguments from a <see cref="QemuVmConfig"/>. A pure function: no I/O, the same config always gives
/// the same arguments, so the result can be checked against golden text.
/// </summary>
/// <remarks>
/// The VM always starts paused (<c>-S</c>) and daemonized, with QMP and the serial console on unix sockets in
/// the runtime directory. The serial console is one chardev that is both a socket for interactive attach and a
/// log file, so the log keeps everything even when nobody is attached.
/// </remarks>
public static class QemuCommandLine
{
    private const string ConsoleChardevId = "console0";
    private const string NetdevId = "net0";
    private const string GuestAgentChardevId = "qga0";

    /// <summary>The name of the guest agent's virtio-serial port, the one qemu-ga looks for in the guest.</summary>
    public const string GuestAgentPortName = "org.qemu.guest_agent.0";

    /// <summary>The arguments after the executable (<see cref="QemuVmConfig.Binary"/>), one element per argument.</summary>
    /// <exception cref="ArgumentException">The config is not valid; the message lists every problem.</exception>
    public static IReadOnlyList<string> Build(QemuVmConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.EnsureValid();

        var args = new List<string>
        {
            "-name", $"guest={Escape(config.Name)},debug-threads=on",
            "-machine", config.Accelerator == QemuAccelerator.Kvm ? "pc,accel=kvm" : "pc,accel=tcg",
            "-cpu", config.Accelerator == QemuAccelerator.Kvm ? "host" : "max",
            "-smp", config.Vcpu.ToString(CultureInfo.InvariantCulture),
            "-m", config.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-nodefaults",
            "-no-user-config",
            "-display", "none",
            "-S",
            "-daemonize",
            // -pidfile, -kernel, -initrd and -append take their value verbatim: no option parsing, no escaping.
            "-pidfile", config.Paths.PidFile,
            "-qmp", $"unix:{Escape(config.Paths.QmpSocket)},server=on,wait=off",
            "-chardev",
            $"socket,id={ConsoleChardevId},path={Escape(config.Paths.ConsoleSocket)},server=on,wait=off," +
            $"logfile={Escape(config.Paths.SerialLog)},logappend=on",
            "-serial", $"chardev:{ConsoleChardevId}",
        };

        if (config.Kernel is not null) args.AddRange(["-kernel", config.Kernel]);
        if (config.Initrd is not null) args.AddRange(["-initrd", config.Initrd]);
        if (config.KernelCommandLine is not null) args.AddRange(["-append", config.KernelCommandLine]);

        foreach (var drive in config.Drives)
        {
            args.AddRange([
                "-drive", $"file={Escape(drive.Path)},if=none,id={drive.Id},format={drive.Format}," + (drive.ReadOnly ? "readonly=on" : "discard=unmap"),
                "-device", $"virtio-blk-pci,drive={drive.Id}",
            ]);
        }

        if (config.Paths.GuestAgentSocket is { } guestAgent)
        {
            args.AddRange([
                "-chardev", $"socket,id={GuestAgentChardevId},path={Escape(guestAgent)},server=on,wait=off",
                "-device", "virtio-serial-pci,id=vserial0",
                "-device", $"virtserialport,bus=vserial0.0,chardev={GuestAgentChardevId},name={GuestAgentPortName}",
            ]);
        }

        if (config.HasNetwork)
        {
            var netdev = $"user,id={NetdevId}";
            foreach (var forward in config.Forwards)
            {
                netdev += string.Create(CultureInfo.InvariantCulture,
                    $",hostfwd={forward.Protocol}:{forward.HostAddress}:{forward.HostPort}-:{forward.GuestPort}");
            }
            args.AddRange(["-netdev", netdev, "-device", $"virtio-net-pci,netdev={NetdevId}"]);
        }

        // -display none keeps QEMU from opening a window; VNC is a display of its own beside it.
        if (config.VncPort is { } vnc)
            args.AddRange(["-device", "VGA", "-vnc", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{vnc - QemuVmConfig.VncBasePort}")]);

        foreach (var file in config.FwCfgFiles)
            args.AddRange(["-fw_cfg", $"name={Escape(file.Name)},file={Escape(file.Path)}"]);
        foreach (var text in config.OemStrings)
            args.AddRange(["-smbios", $"type=11,value={Escape(text)}"]);

        return args;
    }

    /// <summary>
    /// Escapes a value inside a QEMU option list (<c>key=value,key=value</c>): a comma is written twice.
    /// </summary>
    internal static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
