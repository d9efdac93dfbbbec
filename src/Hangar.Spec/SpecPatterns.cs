using System.Text.RegularExpressions;

namespace Hangar.Spec;

/// <summary>
/// The regular expressions of the fleet file's strings, written once in the ECMA-262 dialect that JSON Schema uses
/// and compiled from the same text for the parser.
/// </summary>
internal static class SpecPatterns
{
    /// <summary>DNS-label style: 1..63 of a-z, 0-9 and '-', starting with a letter, not ending with '-'.</summary>
    public const string Name = "^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$";

    /// <summary>What <see cref="ByteSize.TryParse"/> accepts: a number and a binary unit (K/M/G/T, optional i and B).</summary>
    public const string Size = "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+) *([Bb]|[KkMmGgTt]([Ii]?[Bb])?)$";

    /// <summary><c>HOST:GUEST</c> with an optional <c>/tcp</c> or <c>/udp</c>.</summary>
    public const string Forward = "^([0-9]{1,5}):([0-9]{1,5})(/(tcp|udp))?$";

    /// <summary>An integer and a unit: ms, s, m or h.</summary>
    public const string Duration = "^([0-9]{1,9})(ms|s|m|h)$";

    public const string Sha256 = "^[0-9a-fA-F]{64}$";

    /// <summary>An agent's name: a host name in lower case (letters, digits, '-' and '.'; 1–63 characters).</summary>
    public const string AgentName = "^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$";

    /// <summary>A label key: 1–64 letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit.</summary>
    public const string LabelKey = "^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62}[A-Za-z0-9])?$";

    /// <summary>A label value: up to 63 letters, digits, '.', '_' or '-'.</summary>
    public const string LabelValue = "^[A-Za-z0-9._-]{0,63}$";

    /// <summary>A credential's name as the guest sees it (a file name under /run/credentials), at most
    /// <see cref="SpecLimits.MaxCredentialName"/> characters.</summary>
    public const string CredentialName = "^[A-Za-z0-9_][A-Za-z0-9._-]{0,27}$";

    /// <summary>A secret's name: the NAME of <c>secrets/NAME.age</c>, as <c>hangar secret set</c> accepts it.</summary>
    public const string SecretName = "^[a-z0-9][a-z0-9._-]{0,62}$";

    /// <summary>A Linux user name as Debian's adduser accepts it by default.</summary>
    public const string UserName = "^[a-z_][a-z0-9_-]{0,31}$";

    /// <summary>An OpenSSH public key line: a key type, base64, an optional comment.</summary>
    public const string SshPublicKey = "^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com) [A-Za-z0-9+/]+={0,3}( [^\\r\\n]*)?$";

    /// <summary>A crypt(3) password hash: <c>$id$…</c> as mkpasswd or openssl passwd -6 print it.</summary>
    public const string PasswordHash = "^\\$(1|2[abxy]|5|6|y|gy|7)\\$[./A-Za-z0-9$=,]{8,}$";

    /// <summary>A Debian package name, optionally with <c>=VERSION</c>.</summary>
    public const string PackageName = "^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$";

    /// <summary>A tz database name such as UTC or Europe/Paris.</summary>
    public const string Timezone = "^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$";

    /// <summary>A volume's name: its file name and its virtio-blk serial (20 bytes at most).</summary>
    public const string VolumeName = "^[a-z][a-z0-9-]{0,19}$";

    /// <summary>A share's virtiofs tag: the name the guest mounts it by (the device holds 36 bytes).</summary>
    public const string ShareTag = "^[A-Za-z0-9][A-Za-z0-9_-]{0,35}$";

    /// <summary>Where a guest mounts a share: an absolute path of plain segments, not the root.</summary>
    public const string MountPoint = "^(/[A-Za-z0-9._+@-]+)+$";

    /// <summary>A Linux network interface name (a bridge): 1–15 letters, digits, '.', '_' and '-' (IFNAMSIZ holds 16 with
    /// the NUL), not starting with '.' or '-'.</summary>
    public const string BridgeName = "^[A-Za-z0-9_][A-Za-z0-9._-]{0,14}$";

    /// <summary>A MAC address: six pairs of hex digits separated by ':'.</summary>
    public const string Mac = "^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$";

    /// <summary>A file mode in octal.</summary>
    public const string Permissions = "^0?[0-7]{3,4}$";

    public static readonly Regex NameRegex = Compile(Name);
    public static readonly Regex UserNameRegex = Compile(UserName);
    public static readonly Regex CredentialNameRegex = Compile(CredentialName);
    public static readonly Regex VolumeNameRegex = Compile(VolumeName);
    public static readonly Regex BridgeNameRegex = Compile(BridgeName);
    public static readonly Regex ShareTagRegex = Compile(ShareTag);
    public static readonly Regex MountPointRegex = Compile(MountPoint);
    public static readonly Regex MacRegex = Compile(Mac);
    public static readonly Regex SecretNameRegex = Compile(SecretName);
    public static readonly Regex SshPublicKeyRegex = Compile(SshPublicKey);
    public static readonly Regex PasswordHashRegex = Compile(PasswordHash);
    public static readonly Regex PackageNameRegex = Compile(PackageName);
    public static readonly Regex TimezoneRegex = Compile(Timezone);
    public static readonly Regex PermissionsRegex = Compile(Permissions);
    public static readonly Regex ForwardRegex = Compile(Forward);
    public static readonly Regex DurationRegex = Compile(Duration);
    public static readonly Regex Sha256Regex = Compile(Sha256);
    public static readonly Regex AgentNameRegex = Compile(AgentName);
    public static readonly Regex LabelKeyRegex = Compile(LabelKey);
    public static readonly Regex LabelValueRegex = Compile(LabelValue);

    // In .NET '$' also matches before a final newline; JSON Schema's '$' does not. '\z' makes the two agree.
    private static Regex Compile(string pattern) =>
        new(pattern[..^1] + "\\z", RegexOptions.CultureInvariant);
}
