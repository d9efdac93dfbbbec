using Hangar.Qemu;

namespace Hangar.Agent.Secrets;

/// <summary>What a VM's credentials add to its QEMU configuration (<see cref="CredentialStaging.Arguments"/>).</summary>
/// <param name="FwCfgFiles">Secrets (at their staging paths) and files.</param>
/// <param name="OemStrings">Values, as systemd's SMBIOS type 11 strings.</param>
/// <param name="SecretsDigest">Changes when a secret's ciphertext does (the paths on the command line do not); empty without secrets.</param>
public sealed record CredentialArguments(IReadOnlyList<QemuFwCfgFile> FwCfgFiles, IReadOnlyList<string> OemStrings, string SecretsDigest)
{
    public static readonly CredentialArguments None = new([], [], "");
}
