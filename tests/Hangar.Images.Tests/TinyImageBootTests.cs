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

}
