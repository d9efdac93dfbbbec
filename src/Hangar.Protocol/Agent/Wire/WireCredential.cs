namespace Hangar.Protocol.Agent.Wire;

/// <summary>
/// One systemd credential of a VM as the agent protocol carries it (since version 5). The agent hands it to QEMU at
/// each start: a value as an SMBIOS type 11 string, a file by its path, a secret by decrypting <see cref="Ciphertext"/>
/// with its own age identity into a private file on a tmpfs that is removed once QEMU has read it.
/// </summary>
/// <param name="Name">The name the guest sees.</param>
/// <param name="Kind">Where the content comes from.</param>
/// <param name="Source">The secret's name, the value itself, or the file's absolute path on the agent's host.</param>
/// <param name="Ciphertext">For a secret: its age file, base64. Never plaintext.</param>
/// <param name="Sealed">For a secret: hand the guest the age file itself, undecrypted (<c>decrypt: guest</c>). Since version 6.</param>
public sealed record WireCredential(string Name, WireCredentialKind Kind, string Source, string? Ciphertext = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool Sealed = false);

/// <summary>The kinds of <see cref="WireCredential"/>: <c>secret</c>, <c>value</c> or <c>file</c> on the wire.</summary>
public enum WireCredentialKind { Secret, Value, File }
