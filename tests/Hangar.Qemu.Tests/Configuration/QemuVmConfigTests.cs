namespace Hangar.Qemu.Tests.Configuration;

public sealed class QemuVmConfigTests
{
    private static QemuVmConfig Config() => new()
    {
        Name = "web",
        Accelerator = QemuAccelerator.Tcg,
        Vcpu = 1,
        MemoryMiB = 64,
        Paths = QemuRuntimePaths.For("/run/hangar/web", "/var/lib/hangar/vms/web/serial.log"),
        Drives = [new QemuDrive("/d/root.qcow2", "qcow2", "root")],
        Forwards = [new QemuPortForward("tcp", "127.0.0.1", 8080, 80)],
    };

    [Fact]
    public void Equals_SameValuesInDifferentListInstances_IsTrue()
    {
        Assert.Equal(Config(), Config());
        Assert.Equal(Config().GetHashCode(), Config().GetHashCode());
    }

    [Fact]
    public void Equals_DifferentForward_IsFalse()
    {
        var other = Config() with { Forwards = [new QemuPortForward("tcp", "127.0.0.1", 8081, 80)] };

        Assert.NotEqual(Config(), other);
    }

    [Fact]
    public void HasNetwork_ForwardsWithoutNetworkFlag_IsTrue()
    {
        Assert.True(Config().HasNetwork);
        Assert.False((Config() with { Forwards = [] }).HasNetwork);
    }

    [Fact]
    public void Validate_DuplicateDriveIdsAndHostPorts_ReportsBoth()
    {
        var config = Config() with
        {
            Drives = [new QemuDrive("/a", "raw", "d"), new QemuDrive("/b", "raw", "d")],
            Forwards = [new QemuPortForward("tcp", "127.0.0.1", 80, 80), new QemuPortForward("tcp", "127.0.0.1", 80, 81)],
        };

        var errors = config.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Drives[1].Id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Forwards[1]", StringComparison.Ordinal));
    }

    [Fact]
    public void For_RuntimeDirectory_PutsSocketsAndPidFileInIt()
    {
        var paths = QemuRuntimePaths.For("/run/hangar/web", "/var/log/web.log");

        Assert.Equal(new QemuRuntimePaths("/run/hangar/web", "/run/hangar/web/qmp.sock",
            "/run/hangar/web/console.sock", "/var/log/web.log", "/run/hangar/web/qemu.pid")
        {
            GuestAgentSocket = "/run/hangar/web/qga.sock",
        }, paths);
    }
}
