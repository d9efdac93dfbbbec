namespace Hangar.Spec;

/// <summary>
/// The field names of each mapping of a fleet file. The parser accepts exactly these (anything else is an unknown
/// field) and the JSON Schema lists exactly these; a test keeps the two equal.
/// </summary>
internal static class FleetFields
{
    public const string Settings = "settings", Images = "images", Vms = "vms";

    public const string Orphans = "orphans", SshPorts = "sshPorts", VncPorts = "vncPorts";

    public const string Path = "path", Url = "url", Sha256 = "sha256", Format = "format", MinMemory = "minMemory";

    public const string Image = "image", Vcpu = "vcpu", Memory = "memory", Disk = "disk", KernelArgs = "kernelArgs",
        Forwards = "forwards", Autostart = "autostart", Restart = "restart", Health = "health", Placement = "placement",
        Guest = "guest", Credentials = "credentials", Identity = "identity", Display = "display", Volumes = "volumes",
        Interfaces = "interfaces", Vsock = "vsock", Shares = "shares", Balloon = "balloon";

    public const string InterfaceType = "type", Bridge = "bridge", Mac = "mac", Address = "address";

    public const string Host = "host", Labels = "labels", Movable = "movable";

    public const string Serial = "serial", Tcp = "tcp", Http = "http", Timeout = "timeout", Interval = "interval",
        Failures = "failures", HealthRestart = "restart", Exec = "exec";

    public const string Port = "port", HttpPath = "path", Status = "status";

    public const string Hostname = "hostname", Users = "users", RootPassword = "rootPassword", Packages = "packages",
        WriteFiles = "writeFiles", Runcmd = "runcmd", Timezone = "timezone";

    public const string UserName = "name", SshAuthorizedKeys = "sshAuthorizedKeys", Sudo = "sudo";

    public const string FilePath = "path", Content = "content", Permissions = "permissions";

    public const string Size = "size";

    public const string Source = "source", MountPoint = "mountPoint", ReadOnly = "readOnly";

    public const string Secret = "secret", Value = "value", File = "file", Decrypt = "decrypt";

    public static readonly IReadOnlyList<string> Root = [Settings, Images, Vms];
    public static readonly IReadOnlyList<string> SettingsFields = [Orphans, SshPorts, VncPorts];
    public static readonly IReadOnlyList<string> ImageFields = [Path, Url, Sha256, Format, MinMemory];
    public static readonly IReadOnlyList<string> VmFields =
        [Image, Vcpu, Memory, Disk, KernelArgs, Forwards, Autostart, Restart, Health, Placement, Guest, Credentials, Identity, Volumes, Display, Interfaces, Vsock, Shares, Balloon];
    public static readonly IReadOnlyList<string> InterfaceFields = [InterfaceType, Bridge, Mac, Address];
    public static readonly IReadOnlyList<string> VolumeFields = [Size, Format];
    public static readonly IReadOnlyList<string> ShareFields = [Source, MountPoint, ReadOnly];
    public static readonly IReadOnlyList<string> CredentialFields = [Secret, Value, File, Decrypt];
    public static readonly IReadOnlyList<string> GuestFields = [Hostname, Users, RootPassword, Packages, WriteFiles, Runcmd, Timezone];
    public static readonly IReadOnlyList<string> GuestUserFields = [UserName, SshAuthorizedKeys, Sudo];
    public static readonly IReadOnlyList<string> GuestFileFields = [FilePath, Content, Permissions];
    public static readonly IReadOnlyList<string> PlacementFields = [Host, Labels, Movable];
    public static readonly IReadOnlyList<string> HealthFields = [Serial, Tcp, Http, Exec, Timeout, Interval, Failures, HealthRestart];
    public static readonly IReadOnlyList<string> HttpFields = [Port, HttpPath, Status];
}
