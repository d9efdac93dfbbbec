namespace Hangar.Protocol.Agent.Wire;

/// <summary>A user of the guest: name, SSH public keys, passwordless sudo or not.</summary>
public sealed record WireGuestUser(string Name, IReadOnlyList<string> SshAuthorizedKeys, bool Sudo);
