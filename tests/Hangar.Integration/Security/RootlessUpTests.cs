using System.Globalization;
using Hangar.Integration.Support;
using Hangar.Processes;
using Hangar.Testing;

namespace Hangar.Integration.Security;

/// <summary>
/// <c>hangar up</c> by an ordinary user (a uid of no account, through <c>setpriv</c>, with nothing of root's
/// environment): the server, the agent and the QEMU are that user, the QEMU under seccomp, the runtime files under
/// its <c>XDG_RUNTIME_DIR</c>; and a VM asking for what needs root (a share) fails saying so.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RootlessUpTests : IDisposable
{
    private const int Uid = 4243;
    private readonly string _root = Directory.CreateTempSubdirectory("hit-user-").FullName;
    private string Home => Path.Combine(_root, "home");
    private string Runtime => Path.Combine(_root, "xdg");

    public RootlessUpTests()
    {
        // The user's own home and runtime directory; the Debian packages of the tiny image copied in, so its first
        // start packs the image without downloading.
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(Path.Combine(Home, "debs"));
        foreach (var deb in Directory.EnumerateFiles(Path.Combine(Path.GetDirectoryName(HangarHome.SharedImagesDirectory)!, "debs")))
            File.Copy(deb, Path.Combine(Home, "debs", Path.GetFileName(deb)));
        Directory.CreateDirectory(Runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Chown(Home);
        Chown(Runtime);
    }

    public void Dispose()
    {
        foreach (var pid in QemuProcesses.Under(Path.Combine(Runtime, "hangar"))) QemuProcesses.Kill(pid);
        Directory.Delete(_root, recursive: true);
    }

    private static void Chown(string path) =>
        Assert.Equal(0, ProcessRunner.Instance.RunAsync("chown", ["-R", $"{Uid}:{Uid}", path], null, CancellationToken.None).GetAwaiter().GetResult().ExitCode);

    private async Task<ProcessResult> AsUserAsync(params string[] args)
    {
        var (cli, prefix) = HangarCommand.Client;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        return await ProcessRunner.Instance.RunAsync("setpriv", [
            $"--reuid={Uid}", $"--regid={Uid}", "--clear-groups", "--",
            "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", $"HOME={_root}", $"HANGAR_HOME={Home}", $"XDG_RUNTIME_DIR={Runtime}", "HANGAR_ACCEL=tcg",
            cli, .. prefix, .. args,
        ], null, timeout.Token);
    }

    private async Task<string> WriteFleetAsync(string name, string yaml)
    {
        var path = Path.Combine(Home, name);
        await File.WriteAllTextAsync(path, yaml);
        Chown(path);
        return path;
    }

    [Fact]
    public async Task Up_AsAnOrdinaryUser_ServerAgentAndQemuAreThatUser_QemuUnderSeccomp_RuntimeUnderXdg_AndASharedDirectoryIsRefusedSayingRoot()
    {
        Assert.True(Environment.IsPrivilegedProcess, "the test makes an ordinary user with setpriv, which needs root (as CI has)");
        var up = await AsUserAsync("up", await WriteFleetAsync("fleet.yaml", "vms:\n  web:\n    image: tiny\n    memory: 96MiB\n"));
        try
        {
            Assert.True(up.ExitCode == 0, $"hangar up as uid {Uid}: {up.StandardOutput}\n{up.StandardError}");
            var qemu = Assert.Single(QemuProcesses.Under(Path.Combine(Runtime, "hangar")));
            var status = File.ReadAllLines($"/proc/{qemu}/status").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
            Assert.Equal($"{Uid}\t{Uid}\t{Uid}\t{Uid}", status["Uid"]);
            Assert.Equal("2", status["Seccomp"]);
            Assert.Contains("-sandbox\0on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", File.ReadAllText($"/proc/{qemu}/cmdline"));
            var daemon = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Home, "daemon.json"))).RootElement.GetProperty("Pid").GetInt32();
            Assert.StartsWith(Uid.ToString(CultureInfo.InvariantCulture) + "\t", File.ReadAllLines($"/proc/{daemon}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal))[4..].Trim());

            var share = Directory.CreateDirectory(Path.Combine(Home, "shared")).FullName;
            Chown(share);
            var refused = await AsUserAsync("apply", await WriteFleetAsync("share.yaml",
                $"vms:\n  web:\n    image: tiny\n    memory: 96MiB\n    shares:\n      data: {{source: {share}, mountPoint: /mnt/data}}\n"), "--timeout", "90s");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("virtiofsd needs root on the VM's host", refused.StandardOutput + refused.StandardError);
        }
        finally
        {
            await AsUserAsync("down", "--purge");
        }
    }
}
