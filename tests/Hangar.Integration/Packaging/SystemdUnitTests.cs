namespace Hangar.Integration.Packaging;

/// <summary>
/// packaging/systemd/'s units pass <c>systemd-analyze verify</c> with the shared hardening drop-ins, as
/// install-debian.sh installs them. verify needs ExecStart's program to exist, so each unit is checked as a copy in a
/// temp directory whose ExecStart is a stub script there (verify works offline; systemd need not be PID 1).
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-units-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("hangar-agent", false)]
    [InlineData("hangar-agent", true)]
    [InlineData("hangar-server", false)]
    [InlineData("hangar-server", true)]
    public void Verify_UnitWithTheSharedHardening_ReportsNothing(string unit, bool tapNetworks)
    {
        var result = Verify(unit, tapNetworks, extraDropIn: null);
        Assert.True(result.ExitCode == 0 && result.Stderr.Trim().Length == 0,
            $"systemd-analyze verify {unit}.service exited {result.ExitCode}:\n{result.Stderr}{result.Stdout}");
    }

    [Fact]
    public void Verify_ADropInWithAnUnknownKey_IsReported()
    {
        var result = Verify("hangar-agent", tapNetworks: false, extraDropIn: "[Service]\nProtectSystm=strict\n");
        Assert.Contains("Unknown key 'ProtectSystm'", result.Stderr);
    }

    [Fact]
    public void SharedHardening_AllowsOnlyKvmTunAndVsockAndOnlyNetAdmin()
    {
        var lines = File.ReadAllLines(PackagingFiles.Path("packaging", "hardening.conf"))
            .Concat(File.ReadAllLines(PackagingFiles.Path("packaging", "tap-networks.conf"))).ToArray();
        string[] Values(string key) => lines.Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..]).ToArray();
        Assert.Equal(["/dev/kvm rw", "/dev/net/tun rw", "/dev/vhost-vsock rw"], Values("DeviceAllow").Order());
        Assert.Equal(["closed"], Values("DevicePolicy"));
        Assert.Equal(["", "CAP_NET_ADMIN"], Values("CapabilityBoundingSet"));
        Assert.Equal(["", "CAP_NET_ADMIN"], Values("AmbientCapabilities"));
        Assert.Equal(["strict"], Values("ProtectSystem"));
        Assert.Equal(["yes"], Values("NoNewPrivileges"));
        Assert.Equal(["yes"], Values("PrivateTmp"));
        Assert.Equal(["hangar"], Values("StateDirectory"));
        Assert.Equal(["hangar"], Values("User"));
    }

    [Theory]
    [InlineData("hangar-agent", "agent")]
    [InlineData("hangar-server", "server")]
    public void ExecStart_WithItsVariablesEmptyOrSet_ParsesWithHangard(string unit, string service)
    {
        var execStart = File.ReadAllLines(PackagingFiles.Path("packaging", "systemd", unit + ".service"))
            .Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        var words = execStart.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/usr/local/bin/hangar", words[0]);
        // As systemd expands them: ${VAR} is one word (empty when unset), $VAR is split at spaces (nothing when unset).
        var samples = new Dictionary<string, string>
        {
            ["HANGAR_AGENT_SERVER"] = "https://10.0.0.1:7600",
            ["HANGAR_AGENT_ARGS"] = "--name lab1 --labels gpu=true",
            ["HANGAR_SERVER_ARGS"] = "--no-agent --advertise https://10.0.0.1:7600",
        };
        foreach (var environment in new[] { new Dictionary<string, string>(), samples })
        {
            var args = words.Skip(1).SelectMany(word =>
                word.StartsWith("${", StringComparison.Ordinal) ? [environment.GetValueOrDefault(word[2..^1], "")]
                : word.StartsWith('$') ? environment.GetValueOrDefault(word[1..], "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : [word]).ToArray();
            var parse = HangardCommandTree.Create().Parse(args);
            Assert.True(parse.Errors.Count == 0, $"hangar {string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            Assert.Equal(service, parse.CommandResult.Command.Name);
            Assert.Equal(0, Hangar.Cli.Daemon.DaemonExecutable.FindCommand(args));
        }
    }

    private PackagingFiles.Result Verify(string unit, bool tapNetworks, string? extraDropIn)
    {
        var stub = Path.Combine(_dir, "hangar");
        File.WriteAllText(stub, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var text = File.ReadAllText(PackagingFiles.Path("packaging", "systemd", unit + ".service"));
        Assert.Contains("ExecStart=/usr/local/bin/hangar ", text);
        File.WriteAllText(Path.Combine(_dir, unit + ".service"), text.Replace("ExecStart=/usr/local/bin/hangar ", $"ExecStart={stub} "));
        // The drop-ins install-debian.sh installs beside the unit.
        var dropIns = Directory.CreateDirectory(Path.Combine(_dir, unit + ".service.d")).FullName;
        File.Copy(PackagingFiles.Path("packaging", "hardening.conf"), Path.Combine(dropIns, "hardening.conf"));
        if (tapNetworks) File.Copy(PackagingFiles.Path("packaging", "tap-networks.conf"), Path.Combine(dropIns, "tap-networks.conf"));
        if (extraDropIn is not null) File.WriteAllText(Path.Combine(dropIns, "zz-test.conf"), extraDropIn);
        // Only this directory and the system's own units (the trailing colon): the unit is found with its drop-ins.
        return PackagingFiles.Run("systemd-analyze", "systemd", ["verify", unit + ".service"],
            new Dictionary<string, string> { ["SYSTEMD_UNIT_PATH"] = _dir + ":" });
    }
}
