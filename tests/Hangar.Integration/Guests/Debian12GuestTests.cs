using System.Diagnostics;
using Hangar.Integration.Support;
using Hangar.Processes;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Xunit.Abstractions;

namespace Hangar.Integration.Guests;

/// <summary>
/// A real Debian guest: the debian-12 image (built once per machine), booted under TCG with a <c>guest</c> that gives
/// it a hostname and a user with a freshly made ed25519 key, and logged into over SSH through the VM's forward.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class Debian12GuestTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BootBudget = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Up_Debian12WithGuest_SshLoginWithTheFleetsKeyShowsTheHostname()
    {
        var build = Stopwatch.StartNew();
        await Debian12Cache.EnsureAsync();
        output.WriteLine($"debian-12 image ready after {build.Elapsed.TotalSeconds:0.0} s (0 when cached)");

        await using var home = new HangarHome();
        var key = Path.Combine(home.Path, "id_ed25519");
        var keygen = await ProcessRunner.Instance.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "it@hangar", "-f", key], null, CancellationToken.None);
        Assert.True(keygen.ExitCode == 0, keygen.StandardError);
        var publicKey = File.ReadAllText(key + ".pub").Trim();
        var port = home.ReservePort();
        var fleet = home.WriteFleet($"""
            vms:
              deb1:
                image: debian-12
                memory: 1GiB
                forwards: ["{port}:22"]
                health: {'{'} tcp: 22, timeout: 8m {'}'}
                guest:
                  hostname: hangar-it-guest
                  users:
                    - name: ops
                      sshAuthorizedKeys: ["{publicKey}"]
                      sudo: true
            """);

        var boot = Stopwatch.StartNew();
        var up = await HangarCli.RunAsync(home.Path, BootBudget + TimeSpan.FromMinutes(1), "up", fleet, "--timeout", "8m", "--confirm-timeout", "8m");
        Assert.True(up.ExitCode == 0, $"hangar up failed: {up}");
        output.WriteLine($"hangar up returned (sshd accepting on guest port 22) after {boot.Elapsed.TotalSeconds:0.0} s");
        var vm = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((VmPhase.Running, HealthState.Healthy), (vm.Phase, vm.Health));

        // sshd may accept before cloud-init has written the user's key: ask again until the login works.
        var login = await Eventually.WaitAsync(() => SshAsync(key, port, "hostname; id -un; sudo -n id -u"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(3), "an SSH login as ops with the fleet's key");
        output.WriteLine($"logged in over SSH after {boot.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(["hangar-it-guest", "ops", "0"], login.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Another key is refused: the login is the fleet's key, not an open door.
        var other = Path.Combine(home.Path, "other");
        await ProcessRunner.Instance.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other], null, CancellationToken.None);
        var refused = await SshAsync(other, port, "true");
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("Permission denied", refused.StandardError);
    }

    private static async Task<ProcessResult> SshAsync(string key, int port, string command)
    {
        // QEMU's forward accepts at once whatever the guest does, so an attempt is bounded by a timeout of its own.
        using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await ProcessRunner.Instance.RunAsync("ssh", [
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                "-i", key, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "ops@127.0.0.1", command,
            ], null, attempt.Token);
        }
        catch (OperationCanceledException)
        {
            return new ProcessResult(-1, "", "ssh timed out after 30 s");
        }
    }
}
