using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Hangar.Qemu.Tests.TestSupport;

namespace Hangar.Qemu.Tests.Processes;

/// <summary>
/// The real QEMU under <see cref="QemuConfinement"/>: what <c>/proc/PID/status</c> says of it once it answers QMP, and
/// that its seccomp filter really refuses a spawn. Dropping to another user needs root, which the test machine is.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ConfinedQemuTests : IDisposable
{
    private const int Uid = 1879048190;
    private readonly TempDirectory _temp = new();
    private readonly List<QemuProcessIdentity> _launched = [];

    public void Dispose()
    {
        foreach (var identity in _launched) identity.Kill();
        _temp.Dispose();
    }

    private QemuVmConfig Config(QemuConfinement confinement) => new()
    {
        Name = "c1",
        Accelerator = QemuAccelerator.Tcg,
        Vcpu = 1,
        MemoryMiB = 64,
        Paths = QemuRuntimePaths.For(_temp.File("run"), _temp.File("serial.log")),
        Confinement = confinement,
    };

    private async Task<QemuProcessIdentity> LaunchAsync(QemuVmConfig config)
    {
        var identity = await QemuLauncher.LaunchAsync(config, CancellationToken.None);
        _launched.Add(identity);
        return identity;
    }

    private static Dictionary<string, string> Status(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());

    [Fact]
    public async Task RunAs_QemuAnswersAsThatUserAlone_NoCapabilities_Seccomp2_InASessionOfItsOwn_AndIsReapedWhenItQuits()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test changes QEMU's user and must run as root (as CI does)");
        var config = Config(QemuConfinement.RunAs(Uid, Uid));
        var identity = await LaunchAsync(config);
        await using (var instance = await QemuInstance.AttachAsync(config.Paths, identity, CancellationToken.None))
        {
            await instance.ContinueAsync(CancellationToken.None);
            Assert.Equal(new QmpStatus(true, "running"), await instance.QueryStatusAsync(CancellationToken.None));

            var status = Status(identity.Pid);
            Assert.Equal($"{Uid}\t{Uid}\t{Uid}\t{Uid}", status["Uid"]);
            Assert.Equal($"{Uid}\t{Uid}\t{Uid}\t{Uid}", status["Gid"]);
            Assert.Equal(Uid.ToString(CultureInfo.InvariantCulture), status["Groups"]);
            Assert.Equal("0000000000000000", status["CapEff"]);
            Assert.Equal("0000000000000000", status["CapPrm"]);
            Assert.Equal("1", status["NoNewPrivs"]);
            Assert.Equal("2", status["Seccomp"]);
            // Field 6 of /proc/PID/stat is the session: QEMU leads its own, away from the launcher's terminal and signals.
            var stat = File.ReadAllText($"/proc/{identity.Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            Assert.Equal(identity.Pid.ToString(CultureInfo.InvariantCulture), fields[3]);
            // The files QEMU opened as root stay root's: its own sockets and pid file included.
            Assert.Equal(0, GetOwner(config.Paths.QmpSocket));
            Assert.Equal(0, GetOwner(config.Paths.PidFile));

            await instance.Qmp.QuitAsync(CancellationToken.None);
        }
        // QEMU was the launcher's child until it detached: the runtime reaps it, no zombie stays behind.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (Directory.Exists($"/proc/{identity.Pid}") && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(Directory.Exists($"/proc/{identity.Pid}"), $"pid {identity.Pid} is still in /proc after QEMU quit: {(File.Exists($"/proc/{identity.Pid}/stat") ? File.ReadAllText($"/proc/{identity.Pid}/stat") : "")}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sandbox_ASpawnThroughMigrateExec_KillsQemuWithSigsys_WithoutItTheProgramRuns(bool sandbox)
    {
        var config = Config(sandbox ? QemuConfinement.Sandboxed : QemuConfinement.None);
        var identity = await LaunchAsync(config);
        var marker = _temp.File("spawned");
        await using var instance = await QemuInstance.AttachAsync(config.Paths, identity, CancellationToken.None);
        try
        {
            await instance.Qmp.ExecuteAsync("migrate", new JsonObject { ["uri"] = $"exec:touch {marker}" }, TimeSpan.FromSeconds(10));
        }
        catch (QmpException)
        {
            // The sandboxed QEMU dies in the middle of the command.
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        if (sandbox)
        {
            // seccomp's answer to fork/exec is SIGSYS for the whole process: QEMU is gone, and nothing ran.
            await instance.Exited.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.False(identity.IsAlive());
            Assert.False(File.Exists(marker), "the sandboxed QEMU ran a program");
        }
        else
        {
            while (!File.Exists(marker) && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(File.Exists(marker), "without the sandbox, migrate exec: runs its program");
            Assert.True(identity.IsAlive());
        }
    }

    private static int GetOwner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return int.Parse(owner, CultureInfo.InvariantCulture);
    }
}
