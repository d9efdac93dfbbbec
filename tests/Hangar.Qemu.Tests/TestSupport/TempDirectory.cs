namespace Hangar.Qemu.Tests.TestSupport;

/// <summary>
/// A fresh directory under /tmp with a short name, because unix socket paths must stay under 108 bytes.
/// Deleted on dispose.
/// </summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine("/tmp", "hq-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A QEMU that a failed test left behind may still hold a file; the name is unique anyway.
        }
    }
}
