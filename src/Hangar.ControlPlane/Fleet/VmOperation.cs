namespace Hangar.ControlPlane.Fleet;

/// <summary>What an operator can ask of one VM through the API.</summary>
public enum VmOperation { Start, Stop, Restart }
