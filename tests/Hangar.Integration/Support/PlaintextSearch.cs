using System.Text;

namespace Hangar.Integration.Support;

/// <summary>Looks through every file under a directory for a secret's plaintext (a random marker the test chose).</summary>
public static class PlaintextSearch
{
    /// <summary>Fails naming the first file under <paramref name="root"/> that holds <paramref name="needle"/>.</summary>
    public static void AssertNowhereUnder(string root, string needle, string what = "The secret's plaintext")
    {
        if (!Directory.Exists(root)) return;
        var bytes = Encoding.UTF8.GetBytes(needle);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            byte[] content;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (stream.Length > 512L * 1024 * 1024) continue; // no file of ours is that large but a disk; the disks hold no secret
                content = new byte[stream.Length];
                stream.ReadExactly(content);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // a socket, a file gone meanwhile
            }
            Assert.False(content.AsSpan().IndexOf(bytes) >= 0, $"{what} is in {file}");
        }
    }
}
