namespace Hangar.Qemu;

/// <summary>
/// A file the guest's firmware config device shows under <paramref name="Name"/> (<c>-fw_cfg name=…,file=…</c>); a
/// Linux guest reads it under <c>/sys/firmware/qemu_fw_cfg/by_name/</c>. QEMU reads the file once, when it starts.
/// </summary>
/// <param name="Name">The fw_cfg name: starts with <c>opt/</c> (names outside it belong to QEMU and firmware), at most
/// <see cref="MaxNameBytes"/> bytes.</param>
/// <param name="Path">The file on the host.</param>
public sealed record QemuFwCfgFile(string Name, string Path)
{
    /// <summary>QEMU's FW_CFG_MAX_FILE_PATH (56) less the NUL.</summary>
    public const int MaxNameBytes = 55;
}
