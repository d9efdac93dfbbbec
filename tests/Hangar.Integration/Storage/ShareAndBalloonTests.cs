using System.Globalization;
using System.Text.Json;
using Hangar.Client;
using Hangar.Integration.Support;

namespace Hangar.Integration.Storage;

/// <summary>
/// virtiofs shares and the memory balloon on the tiny guest, read from the guest's own shell over its serial console:
/// a host directory mounted read-write (the guest's writes land on the host), one served read-only (the guest cannot
/// write to it even when it mounts it read-write itself), and a balloon target set live that the guest's MemTotal
/// follows and <c>vm show</c> reports.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ShareAndBalloonTests
{
    private const string Vm = "web";

    private static async Task<string> ShellAsync(HangarHome home, string command)
    {
        using var client = await HangarConnection.ConnectAsync(home.Path, CancellationToken.None);
        // The marker is computed ($((2+2))), so the echo of the typed command never matches it.
        var output = await GuestShell.RunAsync(client, Vm, command + "; echo end-$((2+2))", "end-4");
        return output.Replace("\r", "", StringComparison.Ordinal);
    }

    private static async Task<long> GuestMemTotalKiBAsync(HangarHome home)
    {
        var output = await ShellAsync(home, "echo mem-$((1+1)) $(grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2)");
        var line = output.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("mem-2 ", StringComparison.Ordinal));
        return long.Parse(line[6..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Up_VmWithSharesAndBalloon_GuestWritesThroughTheReadWriteShareNotTheReadOnlyOneAndItsMemoryFollowsTheBalloon()
    {
        await using var home = new HangarHome();
        var data = Directory.CreateDirectory(Path.Combine(home.Path, "host-data")).FullName;
        var docs = Directory.CreateDirectory(Path.Combine(home.Path, "host-docs")).FullName;
        File.WriteAllText(Path.Combine(data, "hello.txt"), "from-the-host\n");
        File.WriteAllText(Path.Combine(docs, "manual.txt"), "read-me\n");

        await home.OkAsync("up", home.WriteFleet(
            $"vms:\n  {Vm}:\n    image: tiny\n    memory: 256MiB\n    balloon: true\n    shares:\n" +
            $"      data: {{source: {data}, mountPoint: /mnt/data}}\n      docs: {{source: {docs}, mountPoint: /mnt/docs, readOnly: true}}\n"));

        var log = home.SerialLogText(Vm);
        Assert.Contains("hangar-tiny: share data on /mnt/data (rw)", log);
        Assert.Contains("hangar-tiny: share docs on /mnt/docs (ro)", log);

        var output = await ShellAsync(home,
            "cat /mnt/data/hello.txt /mnt/docs/manual.txt; echo written-by-the-guest > /mnt/data/from-guest; " +
            // Mounted read-write by the guest itself, the read-only share still refuses: the host serves it read-only.
            "mkdir -p /mnt/docs-rw && mount -t virtiofs -o rw docs /mnt/docs-rw && (echo x > /mnt/docs-rw/sneaked || echo refused-$((3+3)))");
        Assert.Contains("from-the-host", output);
        Assert.Contains("read-me", output);
        Assert.Contains("refused-6", output);
        Assert.Equal("written-by-the-guest\n", File.ReadAllText(Path.Combine(data, "from-guest")));
        Assert.False(File.Exists(Path.Combine(docs, "sneaked")), "the read-only share was written to");

        var show = (await home.OkAsync("vm", "show", Vm)).Stdout;
        Assert.Contains($"data {data} at /mnt/data, docs {docs} at /mnt/docs (read-only)", show);
        Assert.Contains("256MiB in the guest", show);

        var before = await GuestMemTotalKiBAsync(home);
        var set = await home.OkAsync("vm", "set", Vm, "--balloon", "128MiB", "-o", "json");
        using (var answer = JsonDocument.Parse(set.Stdout))
        {
            Assert.Equal(128L << 20, answer.RootElement.GetProperty("target").GetInt64());
            Assert.Equal(256L << 20, answer.RootElement.GetProperty("memory").GetInt64());
        }
        // The guest's driver gives the pages back over a few seconds; the agent reports each BALLOON_CHANGE.
        await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single().Balloon?.ActualBytes,
            actual => actual == 128L << 20, TimeSpan.FromSeconds(90), "the balloon's actual size of 128MiB");
        var after = await GuestMemTotalKiBAsync(home);
        Assert.InRange(before - after, 128 * 1024 - 1024, 128 * 1024 + 1024);
        Assert.Contains("128MiB in the guest", (await home.OkAsync("vm", "show", Vm)).Stdout);

        var tooMuch = await home.RunAsync("vm", "set", Vm, "--balloon", "1GiB");
        Assert.NotEqual(0, tooMuch.ExitCode);
        Assert.Contains("target is 1GiB; it must be from 16MiB to the VM's memory, 256MiB", tooMuch.Stderr);
    }

    [Fact]
    public async Task Up_ShareWhoseSourceIsMissing_VmFailsNamingTheShareAndThePathAndNoQemuRuns()
    {
        await using var home = new HangarHome();
        var missing = Path.Combine(home.Path, "not-there");

        await home.RunAsync("up", "--no-wait", home.WriteFleet($"vms:\n  {Vm}: {{image: tiny, shares: {{data: {{source: {missing}}}}}}}\n"));

        var error = await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single().LastError ?? "",
            e => e.Length > 0, TimeSpan.FromSeconds(60), "the VM's error");
        Assert.Contains($"Share 'data' of VM '{Vm}': {missing} is not a directory on this host", error);
        Assert.Empty(home.QemuPids());

        var balloon = await home.RunAsync("vm", "set", Vm, "--balloon", "64MiB");
        Assert.NotEqual(0, balloon.ExitCode);
        Assert.Contains($"VM {Vm} has no memory balloon", balloon.Stderr);
    }
}
