using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Hangar.Spec;

/// <summary>
/// A VM's stable SSH host key (its identity): the public line and the private key's ciphertext, from
/// <c>secrets/identities/VM.pub</c> and <c>VM.age</c> beside the fleet file. Stored with each generation, so restarts,
/// new generations and rollbacks hand the guest the same key; decrypted only by the agent of the VM's host, at each
/// start, and given to the guest as the credential <see cref="CredentialName"/> and through its cloud-init seed.
/// </summary>
/// <param name="PublicKey"><c>ssh-ed25519 AAAA…</c>; null while the key is still to be made (the CLI makes it when it
/// applies: a plan only says that it will).</param>
public sealed record VmIdentity(string? PublicKey)
{
    /// <summary>The systemd credential that carries the private key (<c>/run/credentials/@system/hangar.ssh-host-key</c>).</summary>
    public const string CredentialName = "hangar.ssh-host-key";

    /// <summary>Credential names that start with this are Hangar's own.</summary>
    public const string ReservedPrefix = "hangar.";

    /// <summary>The private key's age file, base64-encoded; null while <see cref="PublicKey"/> is.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ciphertext { get; init; }

    /// <summary>The key is still to be made.</summary>
    [JsonIgnore]
    public bool IsPending => PublicKey is null || Ciphertext is null;

    /// <summary><c>SHA256:…</c> of the public key, as <c>ssh-keygen -l</c> prints it; null while pending.</summary>
    [JsonIgnore]
    public string? Fingerprint => PublicKey is { } key && Wire(key) is { } wire
        ? "SHA256:" + Convert.ToBase64String(SHA256.HashData(wire)).TrimEnd('=') : null;

    /// <summary>
    /// The wire form of an <c>ssh-ed25519 BASE64 [comment]</c> line (type "ssh-ed25519" and a 32-byte key, each with its
    /// length); null when the line is not one.
    /// </summary>
    public static byte[]? Wire(string line)
    {
        var fields = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || fields[0] != "ssh-ed25519") return null;
        byte[] wire;
        try { wire = Convert.FromBase64String(fields[1]); }
        catch (FormatException) { return null; }
        ReadOnlySpan<byte> expected = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 32];
        return wire.Length == expected.Length + 32 && wire.AsSpan().StartsWith(expected) ? wire : null;
    }

    /// <summary><c>ssh-ed25519 BASE64</c> of a line with or without its comment; null when it is not one.</summary>
    public static string? Normalize(string line) => Wire(line) is { } wire ? "ssh-ed25519 " + Convert.ToBase64String(wire) : null;
}
