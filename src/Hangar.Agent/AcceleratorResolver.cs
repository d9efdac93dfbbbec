using Microsoft.Extensions.Logging;
using System.Text.Json;
using Hangar.Agent.Health;
using Hangar.Agent.Images;
using Hangar.Qemu;

namespace Hangar.Agent;

/// <summary>
/// Decides between KVM and TCG once per agent. <c>kvm</c> and <c>tcg</c> are taken as given. <c>auto</c> uses KVM only
/// when it really runs a guest: /dev/kvm opening is not enough (under nested virtualisation a guest can hang right
/// after the kernel starts), so auto boots the tiny image under KVM and waits briefly for its ready line. The answer is
/// cached per host kernel, QEMU binary and image, so the probe runs once.
/// </summary>
public sealed class AcceleratorResolver(AgentOptions options, VmImageResolver images, ILogger<AcceleratorResolver> logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private QemuAccelerator? _resolved;

    /// <summary>"kvm" or "tcg" once decided; before that the setting, e.g. "auto" (the probe runs with the first VM).</summary>
    public string Current => _resolved switch
    {
        QemuAccelerator.Kvm => "kvm",
        QemuAccelerator.Tcg => "tcg",
        _ => options.Accelerator.ToString().ToLowerInvariant(),
    };

    public async Task<QemuAccelerator> ResolveAsync(IProgress<string>? progress, CancellationToken ct)
    {
        if (_resolved is { } done) return done;
        await _lock.WaitAsync(ct);
        try
        {
            if (_resolved is { } again) return again;
            var (accelerator, reason) = options.Accelerator switch
            {
                AcceleratorSetting.Kvm => (QemuAccelerator.Kvm, "HANGAR_ACCEL=kvm"),
                AcceleratorSetting.Tcg => (QemuAccelerator.Tcg, "HANGAR_ACCEL=tcg"),
                _ => await ProbeAsync(progress, ct),
            };
            logger.LogInformation("Accelerator {Accelerator}: {Reason}", accelerator == QemuAccelerator.Kvm ? "kvm" : "tcg", reason);
            _resolved = accelerator;
            return _resolved.Value;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<(QemuAccelerator, string)> ProbeAsync(IProgress<string>? progress, CancellationToken ct)
    {
        if (!CanOpenKvm()) return (QemuAccelerator.Tcg, "auto: /dev/kvm is not usable");
        var tiny = await images.GetTinyAsync(progress, ct);
        var key = $"{ReadOsRelease()}|{QemuBinaryStamp()}|{tiny.Digest}";
        var cachePath = Path.Combine(options.StateDirectory, "agent", "accelerator.json");
        if (TryReadCache(cachePath, key) is { } cached) return (cached, $"auto: KVM boot probe (cached) {(cached == QemuAccelerator.Kvm ? "passed" : "failed")}");

        progress?.Report("probing KVM with a test boot");
        var runtime = Path.Combine(options.RuntimeDirectory, "_probe");
        var log = Path.Combine(runtime, "serial.log");
        Directory.CreateDirectory(runtime);
        File.Delete(log);
        var config = new QemuVmConfig
        {
            Name = "hangar-kvm-probe",
            Accelerator = QemuAccelerator.Kvm,
            Vcpu = 1,
            MemoryMiB = 128,
            Kernel = tiny.KernelPath,
            Initrd = tiny.InitrdPath,
            KernelCommandLine = tiny.KernelCommandLine,
            Drives = [],
            Forwards = [],
            Network = false,
            Paths = QemuRuntimePaths.For(runtime, log),
        };
        var works = false;
        try
        {
            var identity = await QemuLauncher.LaunchAsync(config, ct);
            await using var instance = await QemuInstance.AttachAsync(config.Paths, identity, ct);
            await instance.ContinueAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            try
            {
                works = await SerialLogWatcher.WaitForAsync(log, 0, tiny.ReadyMarker, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                works = false;
            }
            await instance.KillAsync(ct);
        }
        catch (QemuException)
        {
            works = false;
        }
        // The probe's QEMU is gone (killed, or it never started): its sockets and log are of no further use.
        try { Directory.Delete(runtime, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        var result = works ? QemuAccelerator.Kvm : QemuAccelerator.Tcg;
        Directory.CreateDirectory(Path.GetDirectoryName(cachePath)!);
        File.WriteAllText(cachePath, JsonSerializer.Serialize(new ProbeCache(key, result == QemuAccelerator.Kvm), AgentFilesJsonContext.Default.ProbeCache));
        return (result, works ? "auto: KVM boot probe passed" : $"auto: a test guest did not boot under KVM within {ProbeTimeout.TotalSeconds:0}s");
    }

    private static QemuAccelerator? TryReadCache(string path, string key)
    {
        try
        {
            var cache = JsonSerializer.Deserialize(File.ReadAllText(path), AgentFilesJsonContext.Default.ProbeCache);
            return cache is not null && cache.Key == key ? (cache.Kvm ? QemuAccelerator.Kvm : QemuAccelerator.Tcg) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static bool CanOpenKvm()
    {
        try
        {
            using var kvm = new FileStream("/dev/kvm", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string ReadOsRelease() =>
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";

    private static string QemuBinaryStamp()
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .Select(dir => Path.Combine(dir, "qemu-system-x86_64")).FirstOrDefault(File.Exists);
        return path is null ? "none" : $"{path}:{new FileInfo(path).Length}:{File.GetLastWriteTimeUtc(path).Ticks}";
    }

    internal sealed record ProbeCache(string Key, bool Kvm);
}
