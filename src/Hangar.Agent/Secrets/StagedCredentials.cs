namespace Hangar.Agent.Secrets;

/// <summary>
/// The plaintext of a VM's secrets while QEMU starts (<see cref="CredentialStaging.Stage"/>). Disposing overwrites each
/// file with zeros and removes the directory.
/// </summary>
public sealed class StagedCredentials : IDisposable
{
    public static readonly StagedCredentials Nothing = new(null);

    private readonly string? _directory;

    internal StagedCredentials(string? directory) => _directory = directory;

    public void Dispose()
    {
        if (_directory is null) return;
        Hangar.Secrets.PrivateTmpfs.Shred(_directory);
        // The root goes too once no other VM is staging (a home's tests leave nothing in /dev/shm).
        try
        {
            if (Path.GetDirectoryName(_directory) is { } root && !Directory.EnumerateFileSystemEntries(root).Any()) Directory.Delete(root);
        }
        catch (IOException) { }
    }
}
