namespace Hangar.Spec;

/// <summary>A file written into the guest at first boot.</summary>
/// <param name="Path">An absolute path in the guest.</param>
/// <param name="Content">The file's text.</param>
/// <param name="Permissions">Its mode in octal, such as <c>0644</c>; null for cloud-init's default (0644).</param>
public sealed record GuestFile(string Path, string Content, string? Permissions);
