namespace Hangar.Secrets;

/// <summary>
/// Who may read a secret (<c>hangar secret who</c>): the recipients its recipients file lists, how many stanzas of each
/// kind its file has, and whether the two agree (false: run <c>hangar secret rekey</c>).
/// </summary>
public sealed record SecretReaders(string Name, string RecipientsPath, IReadOnlyList<SecretReader> Listed, int X25519Stanzas,
    int SshEd25519Stanzas, bool UpToDate);
