namespace Hangar.Spec;

/// <summary>
/// The bounds the validator enforces; the JSON Schema states the same numbers from here. The second group caps what
/// reading one fleet file may cost, so that a small hostile or broken file cannot take the machine's memory and time
/// (docs/fleet-file.md, "Limits").
/// </summary>
public static class SpecLimits
{
    public const int MinVcpu = 1, MaxVcpu = 64;
    public const int MinPort = 1, MaxPort = 65535;
    public static readonly ByteSize MinMemory = ByteSize.FromMiB(64);
    public static readonly ByteSize MinDisk = ByteSize.FromMiB(1);
    public const int MinHealthFailures = 1, MaxHealthFailures = 100;
    public const int MinHttpStatus = 100, MaxHttpStatus = 599;
    /// <summary>A check more often than this would load a TCG guest for nothing; each check is a real connection.</summary>
    public static readonly TimeSpan MinHealthInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>Bounds that keep a check's timers within what .NET timers take (about 49 days) with room to spare.</summary>
    public static readonly TimeSpan MaxHealthInterval = TimeSpan.FromHours(1), MaxHealthTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// A credential's name: at most 28 characters, since a fw_cfg file name holds 55 (QEMU's FW_CFG_MAX_FILE_PATH less
    /// its NUL) and <c>opt/io.systemd.credentials/</c> takes 27 of them. Kept for every kind, so a value can become a
    /// secret without a rename.
    /// </summary>
    public const int MaxCredentialName = 28;

    /// <summary>
    /// Credentials per VM: 32 in all, of which 12 through fw_cfg (secrets and files). QEMU 7.2's pc machine has 32
    /// fw_cfg file slots and uses about 14 itself; 20 credential files made it abort at start (measured here).
    /// </summary>
    public const int MaxCredentials = 32, MaxFwCfgCredentials = 12;

    /// <summary>Named volumes per VM; with its disk and seed they stay well within the PCI slots of QEMU's pc machine.</summary>
    public const int MaxVolumes = 8;

    /// <summary>Most virtiofs shares per VM (each is a PCI device and a virtiofsd process on the host).</summary>
    public const int MaxShares = 8;

    /// <summary>Network interfaces per VM (PCI slots of the pc machine are shared with disks and volumes).</summary>
    public const int MaxInterfaces = 8;

    /// <summary>vsock context ids: 0–2 are the hypervisor, reserved and the host; 0xFFFFFFFF is VMADDR_CID_ANY.</summary>
    public const long MinVsockCid = 3, MaxVsockCid = 0xFFFF_FFFEL;

    /// <summary>A <c>value</c> credential, in bytes of UTF-8: it travels as an SMBIOS OEM string on QEMU's command line.</summary>
    public const int MaxCredentialValueBytes = 4096;

    /// <summary>
    /// One secret's age file (1 MiB, systemd's largest credential, with room for age's header and tags), and all the
    /// secrets one fleet file names together, so that an apply request stays bounded.
    /// </summary>
    public const int MaxSecretBytes = 1024 * 1024 + 64 * 1024, MaxSecretsBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The largest fleet file, in bytes of UTF-8: 16 MiB. A VM written out in full takes about 250 bytes and a compact
    /// one (name, image, memory) about 50, so this holds 65,000 to 340,000 VMs: a fleet of 100,000 VMs on 1,000 hosts
    /// (issue 8's scale bench) fits with room for placement and forwards. Reading the largest file takes seconds, not
    /// minutes (docs/fleet-file.md, "Limits").
    /// </summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>
    /// How large the document may grow when every alias (<c>*name</c>) is counted as a full copy of its anchor,
    /// measured as nodes plus the characters of scalars. The reader visits a node once for every place it appears,
    /// so this bounds its work. Characters count too because one long scalar repeated by aliases costs in proportion
    /// to its length (hashing, comparing, quoting it in messages). A file without aliases within
    /// <see cref="MaxFileBytes"/> stays below 1.5 times that, so the limit only stops aliases that multiply a
    /// document: 2 times the largest file, so that a file of aliases costs at most what the largest plain file does.
    /// </summary>
    public const long MaxExpandedSize = 2L * MaxFileBytes;

    /// <summary>How deeply nodes may nest. A fleet file nests five levels; the bound keeps recursion off the stack's end.</summary>
    public const int MaxDepth = 100;

    /// <summary>
    /// The errors reported for one file; reading stops at the next one, with an error saying so. Nobody fixes more
    /// than this many before reading again, and a file whose every entry is wrong cannot produce millions of them.
    /// </summary>
    public const int MaxErrors = 100;

    /// <summary>
    /// The largest request body the control plane's API reads. Apply and plan carry the fleet file as a JSON string:
    /// a file of <see cref="MaxFileBytes"/> fits even when every character is escaped as <c>\uXXXX</c> (6 bytes),
    /// with the ciphertext of its secrets in base64 (4 bytes per 3) and room for the other fields.
    /// </summary>
    public const long MaxRequestBodyBytes = 6L * MaxFileBytes + MaxSecretsBytes / 3 * 4 + 64 * 1024;
}
