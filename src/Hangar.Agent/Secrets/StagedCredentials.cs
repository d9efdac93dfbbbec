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

    /// <summary>The subdirectory a VM's cloud-init seed with its host key goes to. QEMU keeps the seed open, so it is
    /// only unlinked (its memory goes when QEMU closes it), never overwritten: the guest reads it at boot.</summary>
    public const string SeedDirectory = ".seed";

    /// <summary>The VM's host key (OpenSSH private key file) while QEMU starts; null without one. Zeroed when disposed.</summary>
    public byte[]? HostKey { get; internal set; }

    public void Dispose()
    {
        if (HostKey is { } key) System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        if (_directory is null) return;
        var seed = Path.Combine(_directory, SeedDirectory);
        if (Directory.Exists(seed)) Directory.Delete(seed, recursive: true);
        Hangar.Secrets.PrivateTmpfs.Shred(_directory);
        // The root goes too once no other VM is staging (a home's tests leave nothing in /dev/shm).
        try
        {
            if (Path.GetDirectoryName(_directory) is { } root && !Directory.EnumerateFileSystemEntries(root).Any()) Directory.Delete(root);
        }
        catch (IOException) { }
    }
}
