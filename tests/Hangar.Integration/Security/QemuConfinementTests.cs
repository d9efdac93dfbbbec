using System.Globalization;
using Hangar.Integration.Support;
using Hangar.Processes;

namespace Hangar.Integration.Security;

/// <summary>
/// What <c>hangar up</c> as root makes of its QEMUs: each VM's QEMU under seccomp (mode 2) and its own user id from the
/// agent's range, without capabilities, and no QEMU's user can read another VM's files, nor its own by their paths
/// (QEMU opened them as root before it dropped its user). The uid of a VM is the same after a restart.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class QemuConfinementTests
{
    private const long FirstUid = 1879048192, LastUid = 1879113727;

    private static Dictionary<string, string> Status(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());

    private static int UidOf(int pid) => int.Parse(Status(pid)["Uid"].Split('\t')[0], CultureInfo.InvariantCulture);

    [Fact]
    public async Task Up_AsRoot_EachQemuItsOwnUidUnderSeccomp_NoCapabilities_NoneReadsAnotherVmsFiles_AndTheUidSurvivesARestart()
    {
        Assert.True(Environment.IsPrivilegedProcess, "hangar up changes QEMU's user only as root; the tests run as root (as CI does)");
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet("vms:\n  a:\n    image: tiny\n    memory: 96MiB\n    disk: 64MiB\n  b:\n    image: tiny\n    memory: 96MiB\n    disk: 64MiB\n"));

        var vms = (await home.StatusAsync()).Vms.ToDictionary(v => v.Name);
        var uids = new Dictionary<string, int>();
        foreach (var name in new[] { "a", "b" })
        {
            var pid = vms[name].Pid!.Value;
            var status = Status(pid);
            var uid = UidOf(pid);
            Assert.InRange(uid, FirstUid, LastUid);
            Assert.Equal($"{uid}\t{uid}\t{uid}\t{uid}", status["Uid"]);
            Assert.Equal($"{uid}\t{uid}\t{uid}\t{uid}", status["Gid"]);
            Assert.Equal("0000000000000000", status["CapEff"]);
            Assert.Equal("1", status["NoNewPrivs"]);
            Assert.Equal("2", status["Seccomp"]);
            uids[name] = uid;
        }
        Assert.NotEqual(uids["a"], uids["b"]);
        Assert.Equal($"seccomp sandbox, uid {uids["a"]} gid {uids["a"]}", vms["a"].Confinement);
        Assert.Contains($"confinement:     seccomp sandbox, uid {uids["b"]} gid {uids["b"]}", (await home.OkAsync("vm", "show", "b")).Stdout);
        Assert.Contains("hangar-tiny", home.SerialLogText("a"));

        // A process with b's uid reads none of a's files, and a's uid does not read its own by path either: each VM's
        // directory is root's alone. (The home and vms/ are opened up here, as /var/lib/hangar of a package would be.)
        const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(home.Path, Open);
        File.SetUnixFileMode(Path.Combine(home.Path, "vms"), Open);
        foreach (var (who, whose) in new[] { ("b", "a"), ("a", "a") })
        {
            foreach (var file in new[] { Path.Combine(home.Path, "vms", whose, "disk.qcow2"), Path.Combine(home.Path, "vms", whose, "serial.log") })
            {
                var read = await ProcessRunner.Instance.RunAsync("setpriv",
                    [$"--reuid={uids[who]}", $"--regid={uids[who]}", "--clear-groups", "--", "head", "-c", "1", file], null, CancellationToken.None);
                Assert.True(read.ExitCode != 0, $"uid of {who} read {file}");
                Assert.Contains("Permission denied", read.StandardError);
            }
        }

        await home.OkAsync("vm", "restart", "a");
        var restarted = (await home.StatusAsync()).Vms.Single(v => v.Name == "a");
        Assert.NotEqual(vms["a"].Pid, restarted.Pid);
        Assert.Equal(uids["a"], UidOf(restarted.Pid!.Value));
    }
}
