namespace Hangar.ControlPlane.Replicas;

/// <summary>An image this replica lacks could not be had from another replica; the message says why.</summary>
public sealed class ImageUnavailableException(string message) : Exception(message);
