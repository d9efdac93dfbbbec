using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hangar.Images.Tests.Qemu;
using Xunit.Abstractions;

namespace Hangar.Images.Tests;

/// <summary>Boots the real tiny image under QEMU (TCG) and checks what the guest promises.</summary>
[Collection(TinyImageCollection.Name)]
public sealed class TinyImageBootTests(TinyImageFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PowerOffTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Boot_UnderTcg_ServesPageWithNameOffersShellAndPowersOffOnAcpiButton()
    {
        output.WriteLine($"fixture EnsureAsync (first call in this process) took {fixture.EnsureElapsed.TotalMilliseconds:F1} ms");
        using var directory = new TestDirectory();
        var name = "tiny-" + Guid.NewGuid().ToString("n")[..8];
        using var lease = Hangar.Testing.TestPorts.Reserve();
        var port = lease.Port;
        var stopwatch = Stopwatch.StartNew();
        await using var vm = QemuTestVm.Start(fixture.Image, name, port, directory.Path);

        await vm.WaitForLineAsync(line => line == fixture.Image.ReadyMarker, ReadyTimeout);
        output.WriteLine($"ready after {stopwatch.Elapsed.TotalSeconds:F2} s");

        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) })
        {
            var page = await http.GetStringAsync($"http://127.0.0.1:{port}/");
            Assert.Contains($"hangar-tiny: {name}", page);
        }

        // The console shell is interactive: a command typed on the serial line runs in the guest.
        await vm.WriteConsoleAsync("echo shell-$((6*7)) $(hostname)\n");
        await vm.WaitForLineAsync(line => line == $"shell-42 {name}", TimeSpan.FromSeconds(15));

        using var qmpTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using (var qmp = await QmpTestClient.ConnectAsync(vm.QmpSocketPath, qmpTimeout.Token))
        {
            stopwatch.Restart();
            await qmp.ExecuteAsync("system_powerdown", qmpTimeout.Token);
        }

        var exited = await vm.WaitForExitAsync(PowerOffTimeout);
        output.WriteLine($"QEMU exited {stopwatch.Elapsed.TotalSeconds:F2} s after system_powerdown");
        Assert.True(exited, $"QEMU still runs {PowerOffTimeout.TotalSeconds} s after system_powerdown. Serial log:\n{vm.SerialLog}");
        Assert.Equal(0, vm.ExitCode);
        Assert.Contains(TinyImage.PoweringOffMarker, vm.SerialLog);
    }

    [Fact]
    public async Task Boot_WithSystemdCredentials_PrintsEachNameAndSha256NeverTheValue()
    {
        using var directory = new TestDirectory();
        var secret = "value-" + Guid.NewGuid().ToString("n");
        var file = Path.Combine(directory.Path, "api-key");
        await File.WriteAllTextAsync(file, secret);
        using var lease = Hangar.Testing.TestPorts.Reserve();
        await using var vm = QemuTestVm.Start(fixture.Image, "tiny-creds", lease.Port, directory.Path,
        [
            "-fw_cfg", $"name=opt/io.systemd.credentials/api-key,file={file}",
            "-smbios", "type=11,value=io.systemd.credential:motd=hello there",
        ]);

        await vm.WaitForLineAsync(line => line == fixture.Image.ReadyMarker, ReadyTimeout);

        Assert.Contains($"hangar-tiny: credential api-key sha256 {Sha256(secret)}", vm.SerialLog);
        Assert.Contains($"hangar-tiny: credential motd sha256 {Sha256("hello there")}", vm.SerialLog);
        Assert.DoesNotContain(secret, vm.SerialLog);
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
