namespace Hangar.Protocol.Agent.Wire;

/// <summary>A file written into the guest: absolute path, text, octal mode (null for the default).</summary>
public sealed record WireGuestFile(string Path, string Content, string? Permissions);
