namespace Hangar.Spec;

/// <summary>A user of the guest.</summary>
/// <param name="Name">A Linux user name: a lowercase letter or '_', then up to 31 lowercase letters, digits, '_' or '-'.</param>
/// <param name="SshAuthorizedKeys">OpenSSH public keys (<c>ssh-ed25519 AAAA… comment</c>) that may log in as the user.</param>
/// <param name="Sudo">Whether the user may run any command as root without a password.</param>
public sealed record GuestUser(string Name, ValueList<string> SshAuthorizedKeys, bool Sudo);
