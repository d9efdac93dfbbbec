using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Integration.Cli;

[Collection(IntegrationCollection.Name)]
public sealed class ConsoleAndImageTests
{
    [Fact]
    public async Task Console_TypedCommand_RunsInTheGuestShell()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet("vms:\n  alpha:\n    image: tiny\n    memory: 96MiB\n"));
        using var client = await HangarConnection.ConnectAsync(home.Path, CancellationToken.None);
        using var console = await client.ConsoleAsync("alpha", CancellationToken.None);

        // The shell computes the marker, so the echo of what we typed cannot satisfy the test by itself.
        await console.SendAsync(Encoding.ASCII.GetBytes("\necho console-$((40+2))-ok\n"), WebSocketMessageType.Binary, true, CancellationToken.None);
        var seen = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("console-42-ok", StringComparison.Ordinal))
        {
            var result = await console.ReceiveAsync(buffer, timeout.Token);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        await console.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(VmPhase.Running, (await home.StatusAsync()).Vms.Single().Phase); // detaching leaves the VM running
    }

    /// <summary>
    /// A file image's VM runs on an overlay of it. The image is blank (no OS, so no guest boots: the firmware finds
    /// nothing to start); what is checked is where QEMU's writes go, not a boot.
    /// </summary>
    [Fact]
    public async Task FileImage_VmRunsOnAnOverlayOfTheUploadedCopy_BaseIsNeverWrittenAndATamperedFileIsRefused()
    {
        await using var home = new HangarHome();
        var basePath = Path.Combine(home.Path, "base.qcow2");
        await new QemuImg().CreateBlankAsync(basePath, 64L * 1024 * 1024, CancellationToken.None);
        var digest = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(basePath)));
        await home.OkAsync("up", home.WriteFleet($"""
            images:
              blank:
                path: ./base.qcow2
                sha256: {digest}
            vms:
              disky:
                image: blank
                memory: 64MiB
                disk: 128MiB
            """));

        var vm = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((VmPhase.Running, HealthState.Healthy), (vm.Phase, vm.Health)); // no health check: running is healthy
        var overlay = await new QemuImg().InfoAsync(Path.Combine(home.Path, "vms", "disky", "disk.qcow2"), CancellationToken.None);
        // The base is the home's verified copy of the image (uploaded by the CLI, by digest), not the user's file.
        Assert.Equal(Path.Combine(home.Path, "blobs", "sha256", digest), overlay.BackingFile);
        Assert.Equal(128L * 1024 * 1024, overlay.VirtualSizeBytes);
        await home.OkAsync("down");
        Assert.Equal(digest, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(basePath))));

        // A file that does not have the digest the fleet file pins is refused when it is uploaded, with both digests
        // in the reason, and nothing is applied.
        await File.AppendAllTextAsync(basePath, "tampered");
        var tampered = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(basePath)));
        var claimed = new string('f', 64);
        var fleet = Path.Combine(home.Path, "fleet.yaml");
        await File.WriteAllTextAsync(fleet, (await File.ReadAllTextAsync(fleet)).Replace(digest, claimed));
        var result = await home.RunAsync("up", fleet, "--timeout", "60s");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(claimed, result.Stdout + result.Stderr);
        Assert.Contains(tampered, result.Stdout + result.Stderr);
    }
}
