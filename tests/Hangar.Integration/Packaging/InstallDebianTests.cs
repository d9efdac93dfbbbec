namespace Hangar.Integration.Packaging;

/// <summary>
/// packaging/install-debian.sh, run for real as root in a mount namespace of its own where /etc and /usr/local are
/// overlays on this machine's (their changes land in the test's temp directory, the machine's stay untouched): it
/// creates the user, installs the binaries, the units with the shared hardening and the env files, and a second run
/// keeps the env files and takes tap-networks.conf away again.
/// </summary>
public sealed class InstallDebianTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-install-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void InstallDebian_InAnOverlay_InstallsUserBinariesUnitsAndEnvFiles()
    {
        Assert.True(Environment.UserName == "root", "install-debian.sh is run as root (the tests and CI run as root).");
        // The files the script reads, and stand-ins for the binaries scripts/build.sh makes.
        var repo = Path.Combine(_dir, "repo");
        foreach (var file in new[] { "packaging/install-debian.sh", "packaging/hardening.conf", "packaging/tap-networks.conf",
                     "packaging/systemd/hangar-agent.service", "packaging/systemd/hangar-server.service", "docs/packaging.md" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(repo, file))!);
            File.Copy(PackagingFiles.Path(file.Split('/')), Path.Combine(repo, file));
        }
        File.SetUnixFileMode(Path.Combine(repo, "packaging/install-debian.sh"), (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(repo, ".hangar/bin"));
        foreach (var binary in new[] { "hangar", "hangard" })
        {
            File.WriteAllText(Path.Combine(repo, ".hangar/bin", binary), "#!/bin/sh\nexit 0\n");
            File.SetUnixFileMode(Path.Combine(repo, ".hangar/bin", binary), (UnixFileMode)0b111_101_101);
        }
        foreach (var dir in new[] { "etc-upper", "etc-work", "usr-upper", "usr-work" }) Directory.CreateDirectory(Path.Combine(_dir, dir));
        var script = Path.Combine(_dir, "run.sh");
        File.WriteAllText(script, $$"""
            set -euo pipefail
            mount -t overlay overlay -o lowerdir=/etc,upperdir={{_dir}}/etc-upper,workdir={{_dir}}/etc-work /etc
            mount -t overlay overlay -o lowerdir=/usr/local,upperdir={{_dir}}/usr-upper,workdir={{_dir}}/usr-work /usr/local
            # Nothing below may touch the machine's own /etc or /usr/local.
            [ "$(findmnt -n -o FSTYPE /etc)" = overlay ] && [ "$(findmnt -n -o FSTYPE /usr/local)" = overlay ]
            {{repo}}/packaging/install-debian.sh agent --bridge-networks
            echo 'HANGAR_AGENT_SERVER=https://10.0.0.1:7600' >> /etc/hangar/agent.env
            {{repo}}/packaging/install-debian.sh both
            echo "user: $(id -nG hangar)"
            echo "link: $(readlink /usr/local/bin/hangar)"
            SYSTEMD_UNIT_PATH=/etc/systemd/system: systemd-analyze verify hangar-agent.service hangar-server.service
            echo verified
            """);
        var result = PackagingFiles.Run("unshare", "util-linux", ["--mount", "--propagation", "private", "bash", script]);
        Assert.True(result.ExitCode == 0, $"install-debian.sh exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains("user: hangar kvm", result.Stdout);
        Assert.Contains("link: /usr/local/lib/hangar/hangar", result.Stdout);
        Assert.Contains("verified", result.Stdout);
        Assert.Equal("", result.Stderr.Trim());

        var etc = Path.Combine(_dir, "etc-upper");
        Assert.Contains(File.ReadAllLines(Path.Combine(etc, "passwd")), line => line.StartsWith("hangar:", StringComparison.Ordinal) && line.EndsWith(":/usr/sbin/nologin", StringComparison.Ordinal));
        var hardening = File.ReadAllText(PackagingFiles.Path("packaging", "hardening.conf"));
        foreach (var unit in new[] { "hangar-agent", "hangar-server" })
        {
            Assert.Equal(File.ReadAllText(PackagingFiles.Path("packaging", "systemd", unit + ".service")), File.ReadAllText(Path.Combine(etc, "systemd/system", unit + ".service")));
            Assert.Equal(hardening, File.ReadAllText(Path.Combine(etc, "systemd/system", unit + ".service.d", "hardening.conf")));
            // The second run was without --bridge-networks.
            Assert.False(File.Exists(Path.Combine(etc, "systemd/system", unit + ".service.d", "tap-networks.conf")));
        }
        var agentEnv = Path.Combine(etc, "hangar", "agent.env");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(agentEnv));
        Assert.Contains("HANGAR_AGENT_SERVER=https://10.0.0.1:7600", File.ReadAllLines(agentEnv));
        Assert.True(File.Exists(Path.Combine(_dir, "usr-upper", "lib", "hangar", "hangard")));
    }
}
