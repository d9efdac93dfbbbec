using Hangar.Agent;
using Hangar.Client;
using Hangar.Integration.Support;
using Hangar.Qemu;

namespace Hangar.Integration.Cli;

/// <summary>
/// Named volumes on the tiny guest, which reads what its kernel sees in <c>/sys/block</c> over its serial shell:
/// made at the first start, seen by their serial, grown with a restart, kept when the VM leaves, gone with a purge.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class VolumeTests
{
    private const string Fleet = "vms:\n  web:\n    image: tiny\n    volumes:\n      data: {{size: {0}}}\n      logs: {{size: 8MiB, format: raw}}\n";

    /// <summary>Each virtio disk of the guest as <c>SERIAL=SECTORS</c>, from the guest's own kernel.</summary>
    private static async Task<string[]> GuestDisksAsync(HangarHome home)
    {
        using var client = await HangarConnection.ConnectAsync(home.Path, CancellationToken.None);
        // The answer is computed ($((1+1))), so the echo of the typed command never matches.
        var output = await GuestShell.RunAsync(client, "web",
            "for d in /sys/block/vd*; do echo \"disk-$((1+1)) $(cat $d/serial)=$(cat $d/size)\"; done; echo end-$((2+2))", "end-4");
        return output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("disk-2 ", StringComparison.Ordinal)).Select(l => l[7..]).Order().ToArray();
    }

    [Fact]
    public async Task Up_VmWithVolumes_GuestSeesThemBySerialTheyGrowAndOutliveTheVmUntilAPurge()
    {
        await using var home = new HangarHome();
        var volumes = Path.Combine(AgentOptions.ForHome(home.Path).VmsDirectory, "web", "volumes");

        await home.OkAsync("up", home.WriteFleet(string.Format(Fleet, "64MiB")));

        Assert.Equal(["data=131072", "logs=16384"], await GuestDisksAsync(home)); // 512-byte sectors
        Assert.Equal("qcow2", (await new QemuImg().InfoAsync(Path.Combine(volumes, "data.qcow2"), CancellationToken.None)).Format);
        Assert.Equal(8L * 1024 * 1024, new FileInfo(Path.Combine(volumes, "logs.raw")).Length);

        var plan = await home.RunAsync("plan", home.WriteFleet(string.Format(Fleet, "128MiB"), "bigger.yaml"));
        Assert.Contains("volumes: data 64MiB qcow2, logs 8MiB raw → data 128MiB qcow2, logs 8MiB raw", plan.Stdout);
        await home.OkAsync("apply", home.WriteFleet(string.Format(Fleet, "128MiB"), "bigger.yaml"));
        Assert.Equal(["data=262144", "logs=16384"], await GuestDisksAsync(home));

        // A smaller size is never a shrink: the volume keeps what it has.
        await home.OkAsync("apply", home.WriteFleet(string.Format(Fleet, "32MiB"), "smaller.yaml"));
        Assert.Equal(["data=262144", "logs=16384"], await GuestDisksAsync(home));

        await home.OkAsync("apply", home.WriteFleet("vms: {}\n", "empty.yaml"));
        Assert.True(File.Exists(Path.Combine(volumes, "data.qcow2")), "a VM that leaves the fleet keeps its volumes");
        await home.OkAsync("down", "--purge");
        Assert.False(Directory.Exists(volumes), "a purge deletes them");
    }
}
