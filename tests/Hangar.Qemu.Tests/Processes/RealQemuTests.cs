using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Hangar.Qemu.Tests.TestSupport;
using Xunit.Abstractions;

namespace Hangar.Qemu.Tests.Processes;

/// <summary>
/// QemuLauncher and QemuInstance against the real qemu-system-x86_64 under TCG with 64 MiB and no kernel: SeaBIOS
/// finds nothing to boot and idles, which is enough for QMP and process handling. The runtime directory has a
/// comma in its name, so every test also proves the escaping against real QEMU. Tests in one class run one at a
/// time, which keeps the two cores of the test machine free.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RealQemuTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _temp = new();
    private readonly List<QemuProcessIdentity> _launched = [];

    public void Dispose()
    {
        // A failed test must not leave QEMU running.
        foreach (var identity in _launched) identity.Kill();
        _temp.Dispose();
    }

    private QemuVmConfig Config() => new()
    {
        Name = "t1",
        Accelerator = QemuAccelerator.Tcg,
        Vcpu = 1,
        MemoryMiB = 64,
        Paths = QemuRuntimePaths.For(_temp.File("run,1"), _temp.File("serial.log")),
    };

    private async Task<QemuProcessIdentity> LaunchAsync(QemuVmConfig config)
    {
        var stopwatch = Stopwatch.StartNew();
        var identity = await QemuLauncher.LaunchAsync(config, CancellationToken.None);
        output.WriteLine($"LaunchAsync returned after {stopwatch.Elapsed.TotalMilliseconds:0} ms (pid {identity.Pid}).");
        _launched.Add(identity);
        return identity;
    }

    private async Task<QemuInstance> AttachAsync(QemuVmConfig config, QemuProcessIdentity identity)
    {
        var stopwatch = Stopwatch.StartNew();
        var instance = await QemuInstance.AttachAsync(config.Paths, identity, CancellationToken.None);
        output.WriteLine($"AttachAsync returned after {stopwatch.Elapsed.TotalMilliseconds:0} ms.");
        return instance;
    }

    [Fact]
    public async Task LaunchAsync_Paused_PrelaunchUntilContinueThenRunning()
    {
        var config = Config();
        var identity = await LaunchAsync(config);
        await using var instance = await AttachAsync(config, identity);

        Assert.Equal(new QmpStatus(false, "prelaunch"), await instance.QueryStatusAsync(CancellationToken.None));
        await instance.ContinueAsync(CancellationToken.None);
        Assert.Equal(new QmpStatus(true, "running"), await instance.QueryStatusAsync(CancellationToken.None));
        Assert.Equal("RESUME", (await instance.Events.ReadAsync().AsTask().WaitAsync(Wait)).Name);
        Assert.Equal(7, instance.Qmp.Greeting.Version.Major);

        await instance.KillAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task LaunchAsync_Started_IdentityMatchesPidFileAndRuntimeDirectoryIsPrivate()
    {
        var config = Config();

        var identity = await LaunchAsync(config);

        Assert.Equal(int.Parse(File.ReadAllText(config.Paths.PidFile).Trim()), identity.Pid);
        Assert.Equal(QemuProcessIdentity.Read(identity.Pid), identity);
        Assert.True(identity.IsAlive());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(config.Paths.Directory));
        Assert.True(File.Exists(config.Paths.ConsoleSocket));
        Assert.True(File.Exists(config.Paths.SerialLog));

        var second = await Assert.ThrowsAsync<QemuLaunchException>(() => QemuLauncher.LaunchAsync(config, CancellationToken.None));
        Assert.Contains($"pid {identity.Pid}", second.Message);
        Assert.True(identity.IsAlive());
    }

    [Fact]
    public async Task LaunchAsync_DriveAndTcpForward_QemuAcceptsThemAndListensOnTheHostPort()
    {
        var disk = _temp.File("d,1.qcow2");
        await new QemuImg().CreateBlankAsync(disk, 16 * 1024 * 1024, CancellationToken.None);
        using var lease = Hangar.Testing.TestPorts.Reserve();
        var port = lease.Port;
        var config = Config() with
        {
            Drives = [new QemuDrive(disk, "qcow2", "root")],
            Forwards = [new QemuPortForward("tcp", "127.0.0.1", port, 80), new QemuPortForward("udp", "127.0.0.1", port, 53)],
        };

        await LaunchAsync(config);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(Wait);
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task LaunchAsync_StalePidFileNamingAnotherLiveProcess_RemovesItAndLaunches()
    {
        var config = Config();
        Directory.CreateDirectory(config.Paths.Directory);
        // A recycled pid: alive, but not a QEMU of this runtime directory.
        File.WriteAllText(config.Paths.PidFile, Environment.ProcessId + "\n");
        File.WriteAllText(config.Paths.QmpSocket, "not a socket");

        var identity = await LaunchAsync(config);

        Assert.NotEqual(Environment.ProcessId, identity.Pid);
        await using var instance = await AttachAsync(config, identity);
        Assert.Equal("prelaunch", (await instance.QueryStatusAsync(CancellationToken.None)).Status);
        await instance.KillAsync(CancellationToken.None).WaitAsync(Wait);
    }

    [Fact]
    public async Task LaunchAsync_ForwardPortHeldByAnotherProgram_ErrorNamesThePortAndItsHolder()
    {
        // QEMU alone says only "Could not set up host forwarding rule"; the error must say which port and who holds it.
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var config = Config() with { Forwards = [new QemuPortForward("tcp", "127.0.0.1", port, 80)] };

        var error = await Assert.ThrowsAsync<QemuLaunchException>(() => QemuLauncher.LaunchAsync(config, CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Contains($"cannot forward host port {port}/tcp on 127.0.0.1", error.Message);
        Assert.Contains($"(pid {Environment.ProcessId})", error.Message);
        Assert.Contains("Could not set up host forwarding rule", error.Message); // QEMU's own words are kept
    }

    [Fact]
    public async Task LaunchAsync_MissingDriveFile_ThrowsQemuLaunchExceptionWithQemuStderr()
    {
        var config = Config() with { Drives = [new QemuDrive(_temp.File("missing.qcow2"), "qcow2", "root")] };

        var error = await Assert.ThrowsAsync<QemuLaunchException>(() => QemuLauncher.LaunchAsync(config, CancellationToken.None));

        Assert.Equal(1, error.ExitCode);
        Assert.Contains("missing.qcow2", error.StandardError);
        Assert.Contains(error.StandardError, error.Message);
    }

    [Fact]
    public async Task StopAsync_GuestWithoutOsIgnoresPowerdown_EndsByQuitAndProcessIsGone()
    {
        var config = Config();
        var identity = await LaunchAsync(config);
        await using var instance = await AttachAsync(config, identity);
        await instance.ContinueAsync(CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();

        var outcome = await instance.StopAsync(TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(Wait);

        output.WriteLine($"StopAsync took {stopwatch.Elapsed.TotalMilliseconds:0} ms.");
        Assert.Equal(QemuStopOutcome.Quit, outcome);
        Assert.False(identity.IsAlive());
        Assert.Equal(new QemuExit(false, "host-qmp-quit"), await instance.Exited.WaitAsync(Wait));
    }

    [Fact]
    public async Task Exited_QemuKilledWithSigkill_CompletesWithoutGuestShutdown()
    {
        var config = Config();
        var identity = await LaunchAsync(config);
        await using var instance = await AttachAsync(config, identity);
        await instance.ContinueAsync(CancellationToken.None);
        var stopwatch = Stopwatch.StartNew();

        using (var kill = Process.Start("kill", ["-9", identity.Pid.ToString()])) await kill.WaitForExitAsync();
        var exit = await instance.Exited.WaitAsync(Wait);

        output.WriteLine($"Exited completed {stopwatch.Elapsed.TotalMilliseconds:0} ms after kill -9.");
        Assert.Equal(new QemuExit(false, null), exit);
        Assert.False(identity.IsAlive());
        Assert.True(instance.Qmp.Completion.IsCompleted);
    }

    [Fact]
    public async Task AttachAsync_QemuLeftRunningByAnEarlierClient_AdoptsItOnceThatClientIsGone()
    {
        var config = Config();
        var identity = await LaunchAsync(config);
        var first = await AttachAsync(config, identity);
        await first.ContinueAsync(CancellationToken.None);
        var busy = await Assert.ThrowsAsync<QmpConnectException>(() => QmpClient.ConnectAsync(
            config.Paths.QmpSocket, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Contains("another one connected", busy.Message);
        await first.DisposeAsync();

        // As after an agent restart: only the persisted paths and identity are left.
        var persisted = QemuProcessIdentity.Read(QemuLauncher.ReadPidFile(config.Paths.PidFile)!.Value);
        Assert.Equal(identity, persisted);
        await using var adopted = await AttachAsync(config, persisted!);

        Assert.Equal(new QmpStatus(true, "running"), await adopted.QueryStatusAsync(CancellationToken.None));
        Assert.Equal(QemuStopOutcome.Quit, await adopted.StopAsync(TimeSpan.Zero, CancellationToken.None).WaitAsync(Wait));
    }

}
