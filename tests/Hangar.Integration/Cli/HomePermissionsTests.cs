using System.Text.Json;
using Hangar.Integration.Support;

namespace Hangar.Integration.Cli;

/// <summary>
/// The modes on disk of what <c>hangar up</c> creates: the home and everything secret in it are its owner's alone.
/// A fleet without VMs, so no guest boots: the files exist as soon as the server answers.
/// </summary>
public sealed class HomePermissionsTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;

    [Fact]
    public async Task Up_NewHome_HomeStateAndLogAreOwnerOnly()
    {
        await using var outer = new HangarHome();
        var home = Path.Combine(outer.Path, "new-home");
        var fleet = outer.WriteFleet("vms: {}\n");
        try
        {
            var up = await HangarCli.RunAsync(outer.Path, HangarHome.CommandTimeout, "up", fleet, "--home", home);
            Assert.True(up.ExitCode == 0, up.ToString());

            Assert.Equal(PrivateDirectory, File.GetUnixFileMode(home));
            Assert.Equal(PrivateDirectory, File.GetUnixFileMode(Path.Combine(home, "control-plane")));
            foreach (var file in new[] { "daemon.json", "hangar.log", "control-plane/state.db", "control-plane/state.db-wal" })
                Assert.True(Private == File.GetUnixFileMode(Path.Combine(home, file)), $"{file} is {File.GetUnixFileMode(Path.Combine(home, file))}");
            Assert.Empty(Directory.GetFiles(home, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            await HangarCli.RunAsync(outer.Path, HangarHome.CommandTimeout, "down", "--home", home);
            if (ServerPid(home) is { } pid) QemuProcesses.Kill(pid);
        }
    }

    [Fact]
    public async Task Up_ExistingHomeOpenToOthers_WarnsAndKeepsWhatItWritesPrivate()
    {
        await using var home = new HangarHome();
        var open = PrivateDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(home.Path, open);

        var up = await home.OkAsync("up", home.WriteFleet("vms: {}\n"));

        var warning = $"The Hangar home {home.Path} is open to other users (mode 755); make it private with: chmod 700 {home.Path}";
        Assert.Contains($"warning: {warning}", up.Stderr);
        Assert.Contains(warning, await File.ReadAllTextAsync(Path.Combine(home.Path, "hangar.log")));
        Assert.Equal(open, File.GetUnixFileMode(home.Path));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(home.Path, "control-plane", "state.db")));
        Assert.Equal(Private, File.GetUnixFileMode(Path.Combine(home.Path, "daemon.json")));
    }

    private static int? ServerPid(string home)
    {
        var info = Path.Combine(home, "daemon.json");
        return File.Exists(info) ? JsonDocument.Parse(File.ReadAllText(info)).RootElement.GetProperty("Pid").GetInt32() : null;
    }
}
