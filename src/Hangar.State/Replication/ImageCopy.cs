namespace Hangar.State.Replication;

/// <summary>That replica <paramref name="Replica"/> holds image <paramref name="Sha256"/> in its own image store (table
/// <c>image_copies</c>).</summary>
public sealed record ImageCopy(string Sha256, string Replica, long SizeBytes);
