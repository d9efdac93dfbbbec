using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Hangar.Qemu;

namespace Hangar.Integration.Cli;

/// <summary>A change of a VM's disk or image reaches the VM as the plan says (zero drift), seen from the guest.</summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class DiskChangeTests
{
    private const long Sector = 512;

    [Fact]
    public async Task Apply_DiskGrows_GuestSeesTheNewSizeOnlineThenOfflineWithItsDataKept()
    {
        await using var home = new HangarHome();
        const string fleet = "vms:\n  web:\n    image: tiny\n    memory: 96MiB\n    disk: {0}\n";
        await home.OkAsync("up", home.WriteFleet(string.Format(fleet, "256MiB")));
        using var client = await HangarConnection.ConnectAsync(home.Path, CancellationToken.None);
        Assert.Equal(256L << 20, await GuestDiskBytesAsync(client, "web", null));
        await GuestShell.RunAsync(client, "web", "echo keep-me-$((6*7)) > /dev/vda; sync; echo wrote-$((1+1))", "wrote-2");
        var pid = (await home.StatusAsync()).Vms.Single().Pid;

        // Online: the plan says update in place, and the same QEMU's guest sees the new capacity.
        var file = home.WriteFleet(string.Format(fleet, "512MiB"));
        var plan = await home.RunAsync("plan", file);
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("~ web (update in place)", plan.Stdout);
        Assert.Contains("disk: 256MiB → 512MiB — grows online, without a restart", plan.Stdout);
        await home.OkAsync("apply", file);
        Assert.Equal(512L << 20, await GuestDiskBytesAsync(client, "web", 512L << 20));
        Assert.Equal(pid, (await home.StatusAsync()).Vms.Single().Pid);

        // Shrinking is refused at plan time, naming the field and both sizes.
        var shrink = await home.RunAsync("plan", home.WriteFleet(string.Format(fleet, "256MiB")));
        Assert.Equal(1, shrink.ExitCode);
        Assert.Contains("fleet.yaml:5:11: vms.web.disk: VM 'web' has a 512MiB disk in the current generation; 256MiB would shrink it", shrink.Stderr + shrink.Stdout);

        // Offline: grown by qemu-img before the next start.
        await home.OkAsync("vm", "stop", "web");
        await home.OkAsync("apply", home.WriteFleet(string.Format(fleet, "768MiB")));
        await home.OkAsync("vm", "start", "web");
        Assert.Equal(768L << 20, await GuestDiskBytesAsync(client, "web", null));
        await GuestShell.RunAsync(client, "web", "head -c 10 /dev/vda; echo", "keep-me-42");
    }

    [Fact]
    public async Task Apply_NewImage_GivesANewDiskKeepsTheOldOneAndGcDeletesOnlyThat()
    {
        await using var home = new HangarHome();
        var a = await BlankImageAsync(home, "a.qcow2", 64);
        var b = await BlankImageAsync(home, "b.qcow2", 96);
        string Fleet(string image) => $"""
            images:
              a: {"{"} path: ./a.qcow2, sha256: {a} {"}"}
              b: {"{"} path: ./b.qcow2, sha256: {b} {"}"}
            vms:
              disky:
                image: {image}
                memory: 64MiB
                disk: 128MiB
            """;
        await home.OkAsync("up", home.WriteFleet(Fleet("a")));
        var vmDir = Path.Combine(home.Path, "vms", "disky");

        var file = home.WriteFleet(Fleet("b"));
        var plan = await home.RunAsync("plan", file);
        Assert.Contains("the VM's data is replaced: it starts on a new disk on image b; its old disk file is kept as disk.gen1.qcow2 until `hangar gc`", plan.Stdout);
        await home.OkAsync("apply", file);

        var disk = await new QemuImg().InfoAsync(Path.Combine(vmDir, "disk.qcow2"), CancellationToken.None);
        var kept = await new QemuImg().InfoAsync(Path.Combine(vmDir, "disk.gen1.qcow2"), CancellationToken.None);
        // Overlays on the agent's own verified copies (blobs/sha256/DIGEST), never on the files the fleet names.
        Assert.Equal(Path.Combine(home.Path, "blobs", "sha256", b), disk.BackingFile);
        Assert.Equal(Path.Combine(home.Path, "blobs", "sha256", a), kept.BackingFile);

        var gc = await home.OkAsync("gc");
        Assert.Contains("vms/disky/disk.gen1.qcow2", gc.Stdout);
        Assert.False(File.Exists(Path.Combine(vmDir, "disk.gen1.qcow2")));
        Assert.True(File.Exists(Path.Combine(vmDir, "disk.qcow2")));
        Assert.Equal(VmPhase.Running, (await home.StatusAsync()).Vms.Single().Phase);
        Assert.Contains("No unused disks.", (await home.OkAsync("gc")).Stdout);
    }

    private static async Task<string> BlankImageAsync(HangarHome home, string name, long mib)
    {
        var path = Path.Combine(home.Path, name);
        await new QemuImg().CreateBlankAsync(path, mib << 20, CancellationToken.None);
        return Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path)));
    }

    /// <summary>
    /// The size of /dev/vda as the guest kernel sees it (/sys/block/vda/size, in 512-byte sectors), read over the serial
    /// console; when <paramref name="expected"/> is given, asked again until the guest reports it (it learns of an online
    /// resize through a virtio configuration interrupt).
    /// </summary>
    private static async Task<long> GuestDiskBytesAsync(HangarClient client, string vm, long? expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var output = await GuestShell.RunAsync(client, vm, "echo vda-size-$(cat /sys/block/vda/size)-end", SizeLine().IsMatch);
            var bytes = long.Parse(SizeLine().Matches(output).Last().Groups[1].Value) * Sector;
            if (expected is null || bytes == expected || DateTime.UtcNow > deadline) return bytes;
        }
    }

    [GeneratedRegex(@"vda-size-(\d+)-end")]
    private static partial Regex SizeLine();
}
