namespace Hangar.State.Replication;

/// <summary>What an agent reports of one VM, as the replica it reports to shared it.</summary>
/// <param name="Report">The VM's observed state (opaque JSON); null once the agent no longer reports the VM.</param>
/// <param name="DesiredRevision">The revision at which what that replica asked of the VM last changed.</param>
public sealed record ObservedRow(string Vm, string? Report, long DesiredRevision);
