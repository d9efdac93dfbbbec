using Hangar.Integration.Support;

namespace Hangar.Integration.Networking;

/// <summary>
/// vsock on the machine the suite runs on: where the host has <c>/dev/vhost-vsock</c>, the VM runs with a vhost-vsock
/// device of its context id; where it has none (these machines' kernel has no vhost_vsock), the VM fails with a
/// message saying what to load, and no QEMU runs.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class VsockTests
{
    [Fact]
    public async Task Up_VsockVm_RunsWithItsCidWhereTheHostHasVhostVsockElseFailsSayingWhatToLoad()
    {
        await using var home = new HangarHome();

        await home.RunAsync("up", "--no-wait", home.WriteFleet("vms:\n  v: {image: tiny, vsock: 7}\n"));

        if (File.Exists("/dev/vhost-vsock"))
        {
            await Eventually.WaitAsync(() => Task.FromResult(home.QemuPids()), pids => pids.Count == 1, TimeSpan.FromSeconds(60), "the VM's QEMU");
            Assert.Contains("guest-cid=7", File.ReadAllText($"/proc/{home.QemuPids()[0]}/cmdline"));
        }
        else
        {
            var error = await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single().LastError ?? "",
                e => e.Length > 0, TimeSpan.FromSeconds(60), "the VM's error");
            Assert.Contains("this host has no /dev/vhost-vsock: load the vhost_vsock kernel module", error);
            Assert.Empty(home.QemuPids());
        }
        Assert.Contains("cid 7", (await home.OkAsync("vm", "show", "v")).Stdout);
    }
}
