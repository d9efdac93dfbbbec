namespace Hangar.Bench;

/// <summary>One boot to SSH login: total ms, and what the side's start call took (apply / exec→running / virsh create).</summary>
internal sealed record BootSample(string Side, string Vm, double BootMs, double StartMs, int SshAttempts, string Note = "");
