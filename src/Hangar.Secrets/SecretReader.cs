namespace Hangar.Secrets;

/// <summary>One listed recipient; <paramref name="InFile"/> says whether the file is encrypted to it, when the file's header can tell (SSH keys), else null.</summary>
public sealed record SecretReader(string Name, string Recipient, bool? InFile);
