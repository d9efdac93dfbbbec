namespace Hangar.Images.Store;

/// <summary>One image in a <see cref="ContentStore"/>: its digest, size and file.</summary>
public sealed record StoredImage(string Sha256, long SizeBytes, string Path);
