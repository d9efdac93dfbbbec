namespace Hangar.Protocol.Agent.Wire;

/// <summary>
/// A VM's SSH host key as the agent protocol carries it (since version 6). The agent decrypts <see cref="Ciphertext"/>
/// with its own age identity at each start, like a secret credential, and hands the private key to the guest as the
/// credential <c>hangar.ssh-host-key</c> and through its cloud-init seed (staged on a tmpfs, removed once QEMU has it).
/// </summary>
/// <param name="PublicKey"><c>ssh-ed25519 AAAA…</c>.</param>
/// <param name="Ciphertext">The private key's age file, base64. Never plaintext.</param>
public sealed record WireIdentity(string PublicKey, string Ciphertext);
