namespace Hangar.Spec;

/// <summary>
/// One systemd credential a VM's guest is handed at boot (an entry of the VM's <c>credentials</c> mapping). A guest
/// with systemd finds it under <c>/run/credentials/@system/NAME</c> (<c>systemd-creds --system list</c>), where a
/// unit takes it with <c>LoadCredential=NAME</c> or <c>ImportCredential=NAME</c>.
/// </summary>
/// <param name="Name">The credential's name as the guest sees it: 1–28 letters, digits, '.', '_' and '-' (QEMU's
/// fw_cfg names hold 55 characters, 27 of them taken by <c>opt/io.systemd.credentials/</c>). The seed's convention of a
/// <c>HOST-</c> prefix is written into the name itself (<c>HOST-API-KEY: {secret: api-key}</c>).</param>
/// <param name="Kind">Where its content comes from.</param>
/// <param name="Source">For <see cref="CredentialKind.Secret"/> the secret's name (<c>secrets/NAME.age</c> beside the
/// fleet file); for <see cref="CredentialKind.Value"/> the value itself; for <see cref="CredentialKind.File"/> an
/// absolute path on the VM's host.</param>
public sealed record CredentialSpec(string Name, CredentialKind Kind, string Source)
{
    /// <summary>
    /// For a secret: the age file's bytes, base64-encoded, as the CLI sent them. Stored with the generation (so a
    /// rollback hands the guest the secret it had) and decrypted only by the agent of the VM's host, at each start.
    /// Null until the fleet file's secrets are resolved (<see cref="SecretSource"/>), and for other kinds.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Ciphertext { get; init; }

    /// <summary>
    /// For a secret: hand the guest its age file as it is (<c>decrypt: guest</c>), for the guest to open with its own
    /// host key (the VM's <see cref="VmIdentity"/>, which can be the secret's recipient before the VM first boots). The
    /// agent then neither needs to nor can read it. False (the agent decrypts) by default, and left out of the stored form.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool DecryptInGuest { get; init; }

    /// <summary>Whether the credential goes through fw_cfg (a secret, a file) rather than an SMBIOS OEM string (a value).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool UsesFwCfg => Kind != CredentialKind.Value;
}

/// <summary>Where a credential's content comes from; a closed set.</summary>
public enum CredentialKind
{
    /// <summary>An age-encrypted secret beside the fleet file; only ciphertext leaves the CLI.</summary>
    Secret,

    /// <summary>A literal, non-secret value written in the fleet file (delivered as an SMBIOS type 11 OEM string).</summary>
    Value,

    /// <summary>A file on the VM's host, read by QEMU when the VM starts.</summary>
    File,
}
