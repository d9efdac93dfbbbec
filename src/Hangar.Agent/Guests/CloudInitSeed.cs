using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hangar.Spec;

namespace Hangar.Agent.Guests;

/// <summary>
/// The files of a VM's cloud-init NoCloud seed, made from its <see cref="GuestSpec"/>. Pure: the same guest always
/// gives the same bytes. <see cref="SeedImageWriter"/> puts them on the <c>cidata</c> volume the VM boots with.
/// </summary>
/// <remarks>
/// <c>user-data</c> is <c>#cloud-config</c> followed by one JSON object: JSON is YAML, so cloud-init reads it, and no
/// value (a key comment, a file's text, a command) can change the document's structure. Files travel base64-encoded.
/// The <c>instance-id</c> in <c>meta-data</c> is the VM's name and a hash of the guest: cloud-init runs its
/// once-per-instance modules (users, keys, files, packages, runcmd) again exactly when the guest changed, at the next
/// boot; with the same guest a reboot keeps the instance (and its SSH host keys). A VM with a host key of its own
/// (<see cref="WithHostKey"/>) has it in <c>ssh_keys</c>, and its public key in the instance-id: cloud-init then deletes
/// the image's keys and installs that one, the only key its sshd offers. Such a seed holds a private key, so it is
/// written only to a tmpfs, at start.
/// </remarks>
public sealed record CloudInitSeed(string MetaData, string UserData)
{
    /// <summary>The volume label cloud-init's NoCloud datasource looks for.</summary>
    public const string VolumeLabel = "cidata";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The seed's <c>network-config</c> (version 2, one entry per interface, matched by MAC); null when the VM
    /// declares no <c>interfaces</c>, which leaves cloud-init's fallback (DHCP on the first NIC).</summary>
    public string? NetworkConfig { get; init; }

    /// <summary>The guest it was made for; kept so that <see cref="WithHostKey"/> can write the user-data again.</summary>
    private GuestSpec? Guest { get; init; }

    /// <summary>The shares it mounts; kept for <see cref="WithHostKey"/> too.</summary>
    private IReadOnlyList<ShareSpec> Shares { get; init; } = [];

    /// <summary>The seed of VM <paramref name="vmName"/>; without a guest, one that gives the guest its name and nothing else.</summary>
    /// <param name="hostKey">The VM's host key's public line, when it has one: part of the instance-id, so that a new key
    /// is installed at the next boot (the private key goes in with <see cref="WithHostKey"/>).</param>
    /// <param name="interfaces">The VM's declared interfaces, for <see cref="NetworkConfig"/>; part of the instance-id, so
    /// that a changed network is applied at the next boot.</param>
    /// <param name="shares">The VM's shares: each with a mount point is mounted at every boot (<c>bootcmd</c>); part of the instance-id.</param>
    public static CloudInitSeed For(string vmName, GuestSpec? guest, string? hostKey = null, IReadOnlyList<NetworkInterfaceSpec>? interfaces = null,
        IReadOnlyList<ShareSpec>? shares = null)
    {
        var mounted = (shares ?? []).Where(s => s.MountPoint is not null).ToArray();
        guest ??= GuestSpec.Default(vmName);
        var fingerprint = GuestText.Fingerprint(guest);
        if (hostKey is not null)
            fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint + "\n" + hostKey)));
        var network = interfaces is null ? null : NetworkConfigJson(interfaces);
        if (network is not null)
            fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint + "\nnetwork " + network)));
        if (mounted.Length > 0)
            fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint + "\nshares " + string.Join(',', mounted))));
        var instance = $"{vmName}-{fingerprint[..16]}";
        var meta = new StringBuilder();
        meta.Append("instance-id: ").Append(instance).Append('\n');
        meta.Append("local-hostname: ").Append(guest.Hostname).Append('\n');
        return new CloudInitSeed(meta.ToString(), "#cloud-config\n" + UserDataJson(guest, null, mounted) + "\n") { Guest = guest, NetworkConfig = network, Shares = mounted };
    }

    /// <summary>This seed with the VM's host key in <c>ssh_keys</c> (<paramref name="privateKey"/>: the OpenSSH private key file).</summary>
    public CloudInitSeed WithHostKey(string privateKey, string publicKey) =>
        this with { UserData = "#cloud-config\n" + UserDataJson(Guest ?? throw new InvalidOperationException("a seed made by For"), (privateKey, publicKey), Shares) + "\n" };

    /// <summary>Network config version 2 as JSON (which is YAML): the user-mode NIC by DHCP; a bridge NIC with its
    /// address, by DHCP for <c>dhcp</c>, and up without an address otherwise. Every NIC is matched by its MAC.</summary>
    private static string NetworkConfigJson(IReadOnlyList<NetworkInterfaceSpec> interfaces)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 2);
            json.WriteStartObject("ethernets");
            for (var i = 0; i < interfaces.Count; i++)
            {
                var nic = interfaces[i];
                json.WriteStartObject($"nic{i}");
                json.WriteStartObject("match");
                json.WriteString("macaddress", nic.Mac);
                json.WriteEndObject();
                if (nic.Type == InterfaceType.User || nic.Address == NetworkInterfaceSpec.Dhcp) json.WriteBoolean("dhcp4", true);
                else if (nic.Address is { } address)
                {
                    json.WriteStartArray("addresses");
                    json.WriteStringValue(address);
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static string UserDataJson(GuestSpec guest, (string Private, string Public)? hostKey, IReadOnlyList<ShareSpec> shares)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("hostname", guest.Hostname);
            json.WriteBoolean("preserve_hostname", false);
            // sudo resolves the host name; without this line in /etc/hosts every sudo waits for DNS and complains.
            json.WriteBoolean("manage_etc_hosts", true);
            json.WriteStartArray("users");
            foreach (var user in guest.Users)
            {
                json.WriteStartObject();
                json.WriteString("name", user.Name);
                json.WriteString("shell", "/bin/bash");
                json.WriteBoolean("lock_passwd", true);
                if (user.Sudo) json.WriteString("sudo", "ALL=(ALL) NOPASSWD:ALL");
                json.WriteStartArray("ssh_authorized_keys");
                foreach (var key in user.SshAuthorizedKeys) json.WriteStringValue(key);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            // Password logins over SSH stay off; keys are the way in. root's hash is for the console.
            json.WriteBoolean("ssh_pwauth", false);
            if (guest.RootPasswordHash is { } hash)
            {
                json.WriteStartObject("chpasswd");
                json.WriteBoolean("expire", false);
                json.WriteStartArray("users");
                json.WriteStartObject();
                json.WriteString("name", "root");
                json.WriteString("password", hash);
                json.WriteString("type", "hash");
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }
            if (guest.Timezone is { } timezone) json.WriteString("timezone", timezone);
            if (guest.Packages.Count > 0)
            {
                json.WriteBoolean("package_update", true);
                json.WriteStartArray("packages");
                foreach (var package in guest.Packages) json.WriteStringValue(package);
                json.WriteEndArray();
            }
            if (guest.WriteFiles.Count > 0)
            {
                json.WriteStartArray("write_files");
                foreach (var file in guest.WriteFiles)
                {
                    json.WriteStartObject();
                    json.WriteString("path", file.Path);
                    json.WriteString("encoding", "b64");
                    json.WriteString("content", Convert.ToBase64String(Encoding.UTF8.GetBytes(file.Content)));
                    if (file.Permissions is { } mode) json.WriteString("permissions", mode.Length == 3 ? "0" + mode : mode);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (hostKey is { } pair)
            {
                json.WriteBoolean("ssh_deletekeys", true);
                json.WriteStartObject("ssh_keys");
                json.WriteString("ed25519_private", pair.Private);
                json.WriteString("ed25519_public", pair.Public);
                json.WriteEndObject();
            }
            if (shares.Count > 0)
            {
                // bootcmd runs at every boot, early: the shares are there before services start. Tags and mount points
                // are plain characters (the spec's patterns), safe between single quotes.
                json.WriteStartArray("bootcmd");
                foreach (var share in shares)
                {
                    json.WriteStartArray();
                    json.WriteStringValue("sh");
                    json.WriteStringValue("-c");
                    json.WriteStringValue($"mkdir -p '{share.MountPoint}' && (mountpoint -q '{share.MountPoint}' || mount -t virtiofs -o {(share.ReadOnly ? "ro" : "rw")} '{share.Tag}' '{share.MountPoint}')");
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            if (guest.Runcmd.Count > 0)
            {
                json.WriteStartArray("runcmd");
                foreach (var command in guest.Runcmd) json.WriteStringValue(command);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
