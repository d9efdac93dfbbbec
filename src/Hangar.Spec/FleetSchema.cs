using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Spec.Parsing;

namespace Hangar.Spec;

/// <summary>
/// The JSON Schema (draft 2020-12) of a fleet file, for editors and other tools. The parser remains the authority:
/// some rules cannot be said in a schema (whole MiB, minimum sizes, cross-field checks, image files that exist).
/// </summary>
public static class FleetSchema
{
    private static readonly JsonSerializerOptions Indented =
        new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The schema as indented JSON.</summary>
    public static string ToJson() => Build().ToJsonString(Indented);

    private static JsonObject Build() => new()
    {
        ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
        ["$id"] = "urn:hangar:fleet-file",
        ["title"] = "Hangar fleet file",
        ["description"] = "The VMs of a fleet and the images they boot. YAML or JSON; unknown fields are errors.",
        ["type"] = "object",
        ["additionalProperties"] = false,
        ["required"] = new JsonArray(FleetFields.Vms),
        ["properties"] = new JsonObject
        {
            [FleetFields.Settings] = Described("Fleet-wide settings; every field has a default, so the mapping may be left out.",
                new JsonObject { ["$ref"] = "#/$defs/settings" }),
            [FleetFields.Images] = NamedMap(
                $"Disk images by name; '{BuiltinImages.Tiny}' and '{BuiltinImages.Debian12}' are built in and reserved.", "#/$defs/image",
                new JsonObject { ["not"] = new JsonObject { ["enum"] = new JsonArray(BuiltinImages.Names.Select(n => (JsonNode)n).ToArray()) } }),
            [FleetFields.Vms] = NamedMap("The VMs by name; may be empty ({}).", "#/$defs/vm", null),
        },
        ["$defs"] = new JsonObject
        {
            ["name"] = new JsonObject
            {
                ["description"] = "1 to 63 lowercase letters, digits and '-', starting with a letter, not ending with '-'.",
                ["type"] = "string",
                ["pattern"] = SpecPatterns.Name,
            },
            ["size"] = new JsonObject
            {
                ["description"] = "A size with a binary unit, like 512MiB or 2GiB (B, KiB, MiB, GiB, TiB; K/KB... read as binary).",
                ["type"] = "string",
                ["pattern"] = SpecPatterns.Size,
            },
            ["duration"] = new JsonObject
            {
                ["description"] = "An integer and a unit (ms, s, m, h), more than zero, like 120s.",
                ["type"] = "string",
                ["pattern"] = SpecPatterns.Duration,
            },
            ["port"] = new JsonObject
            {
                ["description"] = "A TCP or UDP port number.",
                ["type"] = "integer",
                ["minimum"] = SpecLimits.MinPort,
                ["maximum"] = SpecLimits.MaxPort,
            },
            ["settings"] = Settings(),
            ["image"] = Image(),
            ["vm"] = Vm(),
            ["health"] = Health(),
        },
    };

    private static JsonObject NamedMap(string description, string valueRef, JsonObject? extraNameRule)
    {
        var names = new JsonObject { ["$ref"] = "#/$defs/name" };
        if (extraNameRule is not null)
            foreach (var (key, value) in extraNameRule) names[key] = value?.DeepClone();
        return new JsonObject
        {
            ["description"] = description,
            ["type"] = "object",
            ["propertyNames"] = names,
            ["additionalProperties"] = new JsonObject { ["$ref"] = valueRef },
        };
    }

    private static JsonObject Settings() => Object(
        "Settings that apply to the whole fleet.",
        [],
        new JsonObject
        {
            [FleetFields.Orphans] = Described(
                "What an agent does with a QEMU it finds running that no generation names: 'stop' stops it gracefully, 'keep' leaves it running and only reports it.",
                Enum(SpecKeywords.Orphans, SpecDefaults.Orphans)),
            [FleetFields.SshPorts] = Described(
                "The host ports that VMs with a cloud-init guest (debian-12, or a guest mapping) get their SSH forward from, FIRST-LAST; a VM keeps its port across restarts and generations.",
                new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{4,5}-[0-9]{4,5}$", ["default"] = SpecDefaults.SshPorts.ToString() }),
            [FleetFields.VncPorts] = Described(
                "The host ports that VMs with display: vnc get their VNC server on, FIRST-LAST, from 5900 (QEMU numbers displays from there); a VM keeps its port across restarts and generations.",
                new JsonObject { ["type"] = "string", ["pattern"] = "^[0-9]{4,5}-[0-9]{4,5}$", ["default"] = SpecDefaults.VncPorts.ToString() }),
        });

    private static JsonObject Image()
    {
        var image = Object(
            "A disk image, checked by its SHA-256 digest: a local file (path), uploaded to the server by the CLI, or a URL that each agent downloads.",
            [FleetFields.Sha256],
            new JsonObject
            {
                [FleetFields.Path] = Described("The image file on the machine that runs hangar; relative paths resolve against the fleet file's directory. It must exist; the CLI uploads it to the server when the server does not have its digest yet.",
                    new JsonObject { ["type"] = "string", ["minLength"] = 1 }),
                [FleetFields.Url] = Described("An http or https URL that each agent downloads the image from (once, resumed after an interruption, verified before use).",
                    new JsonObject { ["type"] = "string", ["pattern"] = "^[Hh][Tt][Tt][Pp][Ss]?://" }),
                [FleetFields.Sha256] = Described("The image's SHA-256 digest, 64 hex digits.",
                    new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.Sha256 }),
                [FleetFields.Format] = Described("The disk format.",
                    Enum(SpecKeywords.Format, SpecDefaults.ImageFormat)),
                [FleetFields.MinMemory] = Described(
                    $"The least guest memory the image boots with; a VM of this image with less is an error. A whole number of MiB, at least {SpecLimits.MinMemory}.",
                    Ref("size", null)),
            });
        image["oneOf"] = new JsonArray(
            new JsonObject { ["required"] = new JsonArray(FleetFields.Path) },
            new JsonObject { ["required"] = new JsonArray(FleetFields.Url) });
        return image;
    }

    private static JsonObject Vm() => Object(
        "One VM.",
        [FleetFields.Image],
        new JsonObject
        {
            [FleetFields.Image] = Described($"'{BuiltinImages.Tiny}' or '{BuiltinImages.Debian12}' (built in) or the name of an image under 'images'.",
                new JsonObject { ["type"] = "string", ["minLength"] = 1 }),
            [FleetFields.Vcpu] = Described("Virtual CPUs.", new JsonObject
            {
                ["type"] = "integer", ["minimum"] = SpecLimits.MinVcpu, ["maximum"] = SpecLimits.MaxVcpu,
                ["default"] = SpecDefaults.Vcpu,
            }),
            [FleetFields.Memory] = Described($"Guest memory: a whole number of MiB, at least {SpecLimits.MinMemory} and at least the image's floor ('{BuiltinImages.Tiny}': {BuiltinImages.TinyMinMemory}; '{BuiltinImages.Debian12}': {BuiltinImages.Debian12MinMemory}; file images: their minMemory).",
                Ref("size", SpecDefaults.Memory.ToString())),
            [FleetFields.Disk] = Described($"Size of the VM's own disk: a whole number of MiB, at least {SpecLimits.MinDisk}.",
                Ref("size", null)),
            [FleetFields.KernelArgs] = Described($"Extra kernel command-line arguments; only with the built-in images ('{BuiltinImages.Tiny}', '{BuiltinImages.Debian12}'), which boot a kernel directly.",
                new JsonObject { ["type"] = "string", ["minLength"] = 1 }),
            [FleetFields.Forwards] = Described(
                "Host-loopback ports forwarded to guest ports, HOST:GUEST[/tcp|/udp]; a host port and protocol may be used once per agent (VMs that share one are placed on different agents).",
                new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.Forward },
                }),
            [FleetFields.Autostart] = Described("Start the VM when it is applied or when its host starts.",
                new JsonObject { ["type"] = "boolean", ["default"] = SpecDefaults.Autostart }),
            [FleetFields.Restart] = Described("What to do when the VM exits on its own.",
                Enum(SpecKeywords.Restart, SpecDefaults.Restart)),
            [FleetFields.Health] = Described(
                $"How to tell the guest is up. Default for the '{BuiltinImages.Tiny}' image: serial '{SpecDefaults.TinyHealth.SerialMarker}'; for '{BuiltinImages.Debian12}': tcp {SpecDefaults.SshGuestPort} within {SpecDefaults.Debian12Health.Timeout.TotalMinutes:0}m; none otherwise.",
                new JsonObject { ["$ref"] = "#/$defs/health" }),
            [FleetFields.Placement] = Described("Where the VM may run and whether a drain may move it; without it, any online, uncordoned agent with the memory free and the VM's host ports unused, least allocated first.",
                Object("Constraints on the agent that runs the VM; every one must hold.", [], new JsonObject
                {
                    [FleetFields.Host] = Described("Pin the VM to this agent (its name in hangar agent list).",
                        new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.AgentName }),
                    [FleetFields.Labels] = Described("Agent labels the agent must have, each with this value.",
                        new JsonObject
                        {
                            ["type"] = "object",
                            ["propertyNames"] = new JsonObject { ["pattern"] = SpecPatterns.LabelKey },
                            ["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("string", "boolean", "integer"), ["pattern"] = SpecPatterns.LabelValue },
                        }),
                    [FleetFields.Movable] = Described("hangar agent drain may move the VM to another agent, where it starts afresh from its image: its disk is not copied.",
                        new JsonObject { ["type"] = "boolean", ["default"] = SpecDefaults.Movable }),
                })),
            [FleetFields.Guest] = Described(
                $"What the guest is told at boot, through a cloud-init seed Hangar attaches (image '{BuiltinImages.Debian12}' or a disk image with cloud-init; not '{BuiltinImages.Tiny}'). A change takes effect at the next boot.",
                Guest()),
            [FleetFields.Credentials] = Described(
                "systemd credentials handed to the guest at each boot, by the name the guest sees (/run/credentials/@system/NAME): a secret (decrypted only by the VM's agent), a literal non-secret value, or a file on the VM's host. A change takes effect when the VM restarts.",
                Credentials()),
            [FleetFields.Identity] = Described(
                $"Give the VM a stable SSH host key of its own: made by the CLI when it first applies the VM (secrets/identities/NAME.age, encrypted to secrets/recipients.txt, and NAME.pub), handed to the guest at each boot as the credential {VmIdentity.CredentialName} and through its cloud-init seed, and kept across restarts, generations and rollbacks. Default: true for a VM with a cloud-init guest ('{BuiltinImages.Debian12}', or a disk image with a guest mapping), false otherwise.",
                new JsonObject { ["type"] = "boolean" }),
            [FleetFields.Volumes] = Described(
                $"Named disks of the VM's own beside its main disk, made empty at its first start, grown when their size grows (never shrunk), kept when the VM leaves the fleet (hangar down --purge deletes them). The guest sees each as /dev/disk/by-id/virtio-NAME. At most {SpecLimits.MaxVolumes}.",
                new JsonObject
                {
                    ["type"] = "object",
                    ["maxProperties"] = SpecLimits.MaxVolumes,
                    ["propertyNames"] = new JsonObject { ["pattern"] = SpecPatterns.VolumeName },
                    ["additionalProperties"] = Object("A volume.", [FleetFields.Size], new JsonObject
                    {
                        [FleetFields.Size] = Described("Its virtual size, such as 10GiB (a whole number of MiB).", new JsonObject { ["type"] = "string" }),
                        [FleetFields.Format] = Described("qcow2 (grows as written) or raw.", new JsonObject { ["enum"] = new JsonArray("qcow2", "raw"), ["default"] = "qcow2" }),
                    }),
                }),
            [FleetFields.Display] = Described(
                "A graphical display: 'vnc' gives the VM a VGA card and a VNC server on its host's 127.0.0.1, at a port from settings.vncPorts that it keeps across generations (shown by hangar vm list). Default 'none'. A change restarts the VM.",
                new JsonObject { ["enum"] = new JsonArray("vnc", "none"), ["default"] = "none" }),
            [FleetFields.Interfaces] = Described(
                $"The VM's network interfaces, in the order the guest sees them. Without it: one user-mode interface. At most {SpecLimits.MaxInterfaces}, one of them user-mode. A change restarts the VM.",
                new JsonObject
                {
                    ["type"] = "array",
                    ["maxItems"] = SpecLimits.MaxInterfaces,
                    ["items"] = Object("One interface.", [FleetFields.InterfaceType], new JsonObject
                    {
                        [FleetFields.InterfaceType] = Described("'user': QEMU's user-mode network (NAT out, the VM's forwards in). 'bridge': a tap on a Linux bridge of the VM's host.",
                            new JsonObject { ["enum"] = new JsonArray("user", "bridge") }),
                        [FleetFields.Bridge] = Described("type bridge: the bridge's name on the VM's host; the agent makes it (up, no address) when it does not exist.",
                            new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.BridgeName }),
                        [FleetFields.Mac] = Described("A unicast MAC address; default: 52:54:00 and three bytes derived from the VM's name and the interface's position, kept across generations. Unique in the fleet.",
                            new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.Mac }),
                        [FleetFields.Address] = Described("type bridge: the guest's address on it with its prefix length (10.0.0.2/24), or dhcp; set by Hangar's tiny image or the VM's cloud-init seed. Default: the link is up without an address.",
                            new JsonObject { ["type"] = "string", ["pattern"] = "^([0-9A-Fa-f:.]+/[0-9]{1,3}|dhcp)$" }),
                    }),
                }),
            [FleetFields.Vsock] = Described(
                $"A virtio vsock device: true for a guest context id Hangar picks (from {SpecLimits.MinVsockCid}, kept across generations), or the id itself. Unique in the fleet. Needs /dev/vhost-vsock on the VM's host.",
                new JsonObject { ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "boolean" }, new JsonObject { ["type"] = "integer", ["minimum"] = SpecLimits.MinVsockCid, ["maximum"] = SpecLimits.MaxVsockCid }) }),
            [FleetFields.Shares] = Described(
                $"Directories of the VM's host that its guest mounts over virtiofs, by tag (mount -t virtiofs TAG DIR). The agent runs one virtiofsd per share (as root) and gives the VM shared memory. At most {SpecLimits.MaxShares}. A change restarts the VM.",
                new JsonObject
                {
                    ["type"] = "object",
                    ["maxProperties"] = SpecLimits.MaxShares,
                    ["propertyNames"] = new JsonObject { ["pattern"] = SpecPatterns.ShareTag },
                    ["additionalProperties"] = Object("A share.", [FleetFields.Source], new JsonObject
                    {
                        [FleetFields.Source] = Described("The absolute path of a directory on the VM's host (no ','); the VM does not start without it.",
                            new JsonObject { ["type"] = "string", ["pattern"] = "^/[^,]*$" }),
                        [FleetFields.MountPoint] = Described("Where the guest mounts it at boot (Hangar's tiny image and cloud-init guests); without it the guest mounts it itself.",
                            new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.MountPoint }),
                        [FleetFields.ReadOnly] = Described("Serve it read-only: the guest cannot write to it, whatever it mounts.", new JsonObject { ["type"] = "boolean", ["default"] = false }),
                    }),
                }),
            [FleetFields.Balloon] = Described(
                "A virtio memory balloon: hangar vm set NAME --balloon SIZE asks the running guest to give memory back (down to SIZE) or take it again (the guest sees less MemTotal). The target lasts until QEMU stops. A change restarts the VM.",
                new JsonObject { ["type"] = "boolean", ["default"] = false }),
        });

    private static JsonObject Credentials()
    {
        var credential = Object("One credential: exactly one of secret, value and file.", [], new JsonObject
        {
            [FleetFields.Secret] = Described("A secret's name: secrets/NAME.age beside the fleet file (hangar secret set NAME).",
                new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.SecretName }),
            [FleetFields.Value] = Described($"A literal value, not secret (it is stored and shown as written); at most {SpecLimits.MaxCredentialValueBytes} bytes.",
                new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") }),
            [FleetFields.File] = Described("An absolute path of a file on the VM's host, read at each start.",
                new JsonObject { ["type"] = "string", ["pattern"] = "^/" }),
            [FleetFields.Decrypt] = Described("With a secret: who opens it. 'agent' (default): the VM's agent, which hands the guest the plaintext. 'guest': the guest gets the age file itself and opens it with its own host key (the VM's identity, listed as the secret's recipient).",
                new JsonObject { ["enum"] = new JsonArray("agent", "guest"), ["default"] = "agent" }),
        });
        credential["oneOf"] = new JsonArray(
            new JsonObject { ["required"] = new JsonArray(FleetFields.Secret) },
            new JsonObject { ["required"] = new JsonArray(FleetFields.Value) },
            new JsonObject { ["required"] = new JsonArray(FleetFields.File) });
        return new JsonObject
        {
            ["type"] = "object",
            ["maxProperties"] = SpecLimits.MaxCredentials,
            ["propertyNames"] = new JsonObject { ["pattern"] = SpecPatterns.CredentialName },
            ["additionalProperties"] = credential,
        };
    }

    private static JsonObject Guest() => Object("The guest's settings; every field is optional.", [], new JsonObject
    {
        [FleetFields.Hostname] = Described("The guest's hostname; default the VM's name.",
            new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.Name }),
        [FleetFields.Users] = Described("Users to create; hangar ssh logs in as the first.", new JsonObject
        {
            ["type"] = "array",
            ["items"] = Object("A user.", [FleetFields.UserName], new JsonObject
            {
                [FleetFields.UserName] = Described("The login name.", new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.UserName }),
                [FleetFields.SshAuthorizedKeys] = Described("OpenSSH public keys that may log in as the user.", new JsonObject
                {
                    ["type"] = "array",
                    ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.SshPublicKey },
                }),
                [FleetFields.Sudo] = Described("May run any command as root without a password.", new JsonObject { ["type"] = "boolean", ["default"] = false }),
            }),
        }),
        [FleetFields.RootPassword] = Described("root's password as a crypt(3) hash (mkpasswd -m sha-512, openssl passwd -6); a plain password is an error.",
            new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.PasswordHash }),
        [FleetFields.Packages] = Described("Debian packages to install at first boot.", new JsonObject
        {
            ["type"] = "array",
            ["items"] = new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.PackageName },
        }),
        [FleetFields.WriteFiles] = Described("Files to write at first boot.", new JsonObject
        {
            ["type"] = "array",
            ["items"] = Object("A file.", [FleetFields.FilePath, FleetFields.Content], new JsonObject
            {
                [FleetFields.FilePath] = Described("Its absolute path in the guest.", new JsonObject { ["type"] = "string", ["pattern"] = "^/" }),
                [FleetFields.Content] = Described("Its text.", new JsonObject { ["type"] = "string" }),
                [FleetFields.Permissions] = Described("Its mode in octal, quoted.", new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.Permissions }),
            }),
        }),
        [FleetFields.Runcmd] = Described("Shell commands run at the end of the first boot.", new JsonObject
        {
            ["type"] = "array",
            ["items"] = new JsonObject { ["type"] = "string", ["minLength"] = 1 },
        }),
        [FleetFields.Timezone] = Described("A tz database name such as Europe/Paris.", new JsonObject { ["type"] = "string", ["pattern"] = SpecPatterns.Timezone }),
    });

    private static JsonObject Health()
    {
        var health = Object(
            "Exactly one of serial, tcp, http and exec; when the guest may take to come up, how often to check, when to give up.",
            [],
            new JsonObject
            {
                [FleetFields.Serial] = Described("Healthy once this text appears on the serial console.",
                    new JsonObject { ["type"] = "string", ["minLength"] = 1 }),
                [FleetFields.Tcp] = Described("Healthy while the guest accepts TCP connections on this port (QEMU's own view of the forwarded connection, not the host side of the forward); the VM needs a tcp forward to it.",
                    new JsonObject { ["$ref"] = "#/$defs/port" }),
                [FleetFields.Http] = Described("Healthy while GET path on this guest port answers with an accepted status; the VM needs a tcp forward to it.",
                    new JsonObject
                    {
                        ["oneOf"] = new JsonArray(
                            new JsonObject { ["$ref"] = "#/$defs/port" },
                            Object("The request.", [FleetFields.Port], new JsonObject
                            {
                                [FleetFields.Port] = Described("The guest port.", new JsonObject { ["$ref"] = "#/$defs/port" }),
                                [FleetFields.HttpPath] = Described("The request path.",
                                    new JsonObject { ["type"] = "string", ["pattern"] = "^/[!-~]*$", ["maxLength"] = 2048, ["default"] = SpecDefaults.HttpPath }),
                                [FleetFields.Status] = Described($"Accepted status codes ({SpecLimits.MinHttpStatus}-{SpecLimits.MaxHttpStatus}): a code, a range or a comma-separated list.",
                                    new JsonObject
                                    {
                                        ["type"] = new JsonArray("string", "integer"),
                                        ["pattern"] = "^ *[0-9]{3}( *- *[0-9]{3})? *(, *[0-9]{3}( *- *[0-9]{3})? *)*$",
                                        ["default"] = string.Join(",", SpecDefaults.HttpStatus),
                                    }),
                            })),
                    }),
                [FleetFields.Exec] = Described("Healthy while this command, run in the guest by its guest agent (qemu-ga), exits 0: the program first, then its arguments; no shell.",
                    new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["type"] = "string" }, ["prefixItems"] = new JsonArray(new JsonObject { ["type"] = "string", ["minLength"] = 1 }) }),
                [FleetFields.Timeout] = Described("How long after start the guest may take to become healthy.",
                    Ref("duration", DurationSyntax.Format(SpecDefaults.HealthTimeout))),
                [FleetFields.Interval] = Described($"How often a tcp, http or exec check runs once the VM was healthy (until then, every 0.5 s); at least {DurationSyntax.Format(SpecLimits.MinHealthInterval)}.",
                    Ref("duration", DurationSyntax.Format(SpecDefaults.HealthInterval))),
                [FleetFields.Failures] = Described("After how many failed tcp, http or exec checks in a row a healthy VM counts as unhealthy.",
                    new JsonObject { ["type"] = "integer", ["minimum"] = SpecLimits.MinHealthFailures, ["maximum"] = SpecLimits.MaxHealthFailures, ["default"] = SpecDefaults.HealthFailures }),
                [FleetFields.HealthRestart] = Described("Restart the VM, as its restart policy allows, when it becomes unhealthy.",
                    new JsonObject { ["type"] = "boolean", ["default"] = SpecDefaults.HealthRestart }),
            });
        health["oneOf"] = new JsonArray(
            new JsonObject { ["required"] = new JsonArray(FleetFields.Serial) },
            new JsonObject { ["required"] = new JsonArray(FleetFields.Tcp) },
            new JsonObject { ["required"] = new JsonArray(FleetFields.Http) },
            new JsonObject { ["required"] = new JsonArray(FleetFields.Exec) });
        return health;
    }

    private static JsonObject Object(string description, string[] required, JsonObject properties)
    {
        var result = new JsonObject { ["description"] = description, ["type"] = "object", ["additionalProperties"] = false };
        if (required.Length > 0) result["required"] = new JsonArray(required.Select(r => (JsonNode)r).ToArray());
        result["properties"] = properties;
        return result;
    }

    private static JsonObject Described(string description, JsonObject schema)
    {
        var result = new JsonObject { ["description"] = description };
        foreach (var (key, value) in schema) result[key] = value?.DeepClone();
        return result;
    }

    private static JsonObject Ref(string definition, string? defaultValue)
    {
        var result = new JsonObject { ["$ref"] = $"#/$defs/{definition}" };
        if (defaultValue is not null) result["default"] = defaultValue;
        return result;
    }

    private static JsonObject Enum<T>(IReadOnlyList<(string Text, T Value)> table, T defaultValue) where T : struct, System.Enum => new()
    {
        ["type"] = "string",
        ["enum"] = new JsonArray(table.Select(e => (JsonNode)e.Text).ToArray()),
        ["default"] = SpecKeywords.TextOf(table, defaultValue),
    };
}
