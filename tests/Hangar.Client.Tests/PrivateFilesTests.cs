using Hangar.Client;

namespace Hangar.Client.Tests;

/// <summary>How the Hangar home is created and tightened (the files in it are checked on a real server in Integration).</summary>
public sealed class PrivateFilesTests
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = PrivateFile | UnixFileMode.UserExecute;
    private const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    [Fact]
    public void CreateHome_DefaultHomeOpenToOthers_IsMadePrivate()
    {
        // The default home (/var/lib/hangar as root) is Hangar's alone; one made 0755 by an older Hangar is tightened.
        var dir = Directory.CreateTempSubdirectory("hangar-home-").FullName;
        try
        {
            File.SetUnixFileMode(dir, PrivateDirectory | OpenToOthers);
            Assert.Null(PrivateFiles.CreateHome(dir, hangarsOwn: true));
            Assert.Equal(PrivateDirectory, File.GetUnixFileMode(dir));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void CreateHome_OtherHomeOpenToOthers_IsLeftAsItIsWithAWarning()
    {
        var dir = Directory.CreateTempSubdirectory("hangar-home-").FullName;
        try
        {
            File.SetUnixFileMode(dir, PrivateDirectory | OpenToOthers);

            var warning = PrivateFiles.CreateHome(dir, hangarsOwn: false);

            Assert.Equal($"The Hangar home {dir} is open to other users (mode 755); make it private with: chmod 700 {dir}", warning);
            Assert.Equal(PrivateDirectory | OpenToOthers, File.GetUnixFileMode(dir));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void WriteAllText_OverAFileOpenToOthers_ReplacesItPrivateAndLeavesNoTemporaryFile()
    {
        var dir = Directory.CreateTempSubdirectory("hangar-home-").FullName;
        try
        {
            var path = Path.Combine(dir, "daemon.json");
            File.WriteAllText(path, "old");
            File.SetUnixFileMode(path, PrivateFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            PrivateFiles.WriteAllText(path, "new");

            Assert.Equal("new", File.ReadAllText(path));
            Assert.Equal(PrivateFile, File.GetUnixFileMode(path));
            Assert.Equal([path], Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
