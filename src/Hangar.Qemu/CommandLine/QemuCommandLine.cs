using System.Globalization;

namespace Hangar.Qemu;

/// <summary>
/// Builds QEMU's arguments from a <see cref="QemuVmConfig"/>. A pure function: no I/O, the same config always gives
/// the same arguments, so the result can be checked against golden text.
/// </summary>
/// <remarks>
/// The VM always starts paused (<c>-S</c>), in the foreground under its <see cref="QemuConfinement"/> (the launcher
/// detaches it), with QMP and the serial console on unix sockets in the runtime directory. The serial console is one chardev that is both a socket for interactive attach and a
/// log file, so the log keeps everything even when nobody is attached.
/// </remarks>
public static class QemuCommandLine
{
    private const string ConsoleChardevId = "console0";
    private const string NetdevId = "net0";
    private const string GuestAgentChardevId = "qga0";
    private const string MemoryBackendId = "mem0";

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
            "-machine", (config.Accelerator == QemuAccelerator.Kvm ? "pc,accel=kvm" : "pc,accel=tcg") + (config.Shares.Count > 0 ? $",memory-backend={MemoryBackendId}" : ""),
            "-cpu", config.Accelerator == QemuAccelerator.Kvm ? "host" : "max",
            "-smp", config.Vcpu.ToString(CultureInfo.InvariantCulture),
            "-m", config.MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-nodefaults",
            "-no-user-config",
            "-display", "none",
            "-S",
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
                "-device", $"virtio-blk-pci,drive={drive.Id}" + (drive.Serial is { } serial ? $",serial={Escape(serial)}" : ""),
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

        if (config.Nics.Count > 0)
        {
            foreach (var nic in config.Nics)
            {
                // script=no: QEMU makes the tap and nothing else; the agent puts it on its bridge before the VM runs.
                var netdev = nic.Tap is { } tap ? $"tap,id={nic.Id},ifname={tap},script=no,downscript=no" : UserNetdev(nic.Id, config.Forwards);
                args.AddRange(["-netdev", netdev, "-device", $"virtio-net-pci,netdev={nic.Id}" + (nic.Mac is { } mac ? $",mac={mac}" : "")]);
            }
        }
        else if (config.HasNetwork)
            args.AddRange(["-netdev", UserNetdev(NetdevId, config.Forwards), "-device", $"virtio-net-pci,netdev={NetdevId}"]);

        if (config.VsockCid is { } cid)
            args.AddRange(["-device", string.Create(CultureInfo.InvariantCulture, $"vhost-vsock-pci,id=vsock0,guest-cid={cid}")]);

        if (config.Shares.Count > 0)
        {
            // vhost-user: virtiofsd maps the guest's memory, so it must be a shareable memfd rather than anonymous memory.
            args.AddRange(["-object", string.Create(CultureInfo.InvariantCulture, $"memory-backend-memfd,id={MemoryBackendId},size={config.MemoryMiB}M,share=on")]);
            foreach (var share in config.Shares)
                args.AddRange([
                    "-chardev", $"socket,id={share.Id},path={Escape(share.Socket)}",
                    "-device", $"vhost-user-fs-pci,chardev={share.Id},tag={share.Tag}",
                ]);
        }

        if (config.Balloon) args.AddRange(["-device", "virtio-balloon-pci,id=balloon0"]);

        // -display none keeps QEMU from opening a window; VNC is a display of its own beside it.
        if (config.VncPort is { } vnc)
            args.AddRange(["-device", "VGA", "-vnc", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{vnc - QemuVmConfig.VncBasePort}")]);

        foreach (var file in config.FwCfgFiles)
            args.AddRange(["-fw_cfg", $"name={Escape(file.Name)},file={Escape(file.Path)}"]);
        foreach (var text in config.OemStrings)
            args.AddRange(["-smbios", $"type=11,value={Escape(text)}"]);

        if (config.Confinement.Sandbox) args.AddRange(["-sandbox", config.Confinement.SandboxOptions]);
        if (config.Confinement.Uid is { } uid)
            args.AddRange(["-runas", string.Create(CultureInfo.InvariantCulture, $"{uid}:{config.Confinement.Gid}")]);
        return args;
    }

    /// <summary>
    /// The command line that names what the VM is, for the agent's config hash: <see cref="Build"/> without the
    /// confinement, in the form it had while QEMU daemonized (<c>-daemonize</c> after <c>-S</c>). A VM that ran before
    /// QEMU was confined hashes as it did, so upgrading restarts nothing; it is confined at its next start.
    /// </summary>
    public static IReadOnlyList<string> HashForm(QemuVmConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var args = new List<string>(Build(config with { Confinement = QemuConfinement.None }));
        args.Insert(args.IndexOf("-S") + 1, "-daemonize");
        return args;
    }

    private static string UserNetdev(string id, IReadOnlyList<QemuPortForward> forwards)
    {
        var netdev = $"user,id={id}";
        foreach (var forward in forwards)
        {
            netdev += string.Create(CultureInfo.InvariantCulture,
                $",hostfwd={forward.Protocol}:{forward.HostAddress}:{forward.HostPort}-:{forward.GuestPort}");
        }
        return netdev;
    }

    /// <summary>
    /// Escapes a value inside a QEMU option list (<c>key=value,key=value</c>): a comma is written twice.
    /// </summary>
    internal static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
