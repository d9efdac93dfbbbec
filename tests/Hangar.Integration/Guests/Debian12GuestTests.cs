using System.Diagnostics;
using Hangar.Integration.Support;
using Hangar.Processes;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Testing;
using Xunit.Abstractions;

namespace Hangar.Integration.Guests;

/// <summary>
/// A real Debian guest: the debian-12 image (built once per machine), booted under TCG with a <c>guest</c> that gives
/// it a hostname and a user with a freshly made ed25519 key, and logged into over SSH through the VM's forward. Its
/// health check and <see cref="CheckGuestAgentAsync"/> go through the guest's real qemu-ga.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class Debian12GuestTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BootBudget = TimeSpan.FromMinutes(8);
    private const string SecretValue = "debian-secret-3f9a";
    private const string GuestSecretValue = "only-the-guest-opens-this-7c21";

    [Fact]
    public async Task Up_Debian12WithGuest_SshLoginShowsTheHostname_GuestAgentReportsRunsAndStops_AndAChangedGuestAtTheNextBoot()
    {
        var build = Stopwatch.StartNew();
        await Debian12Cache.EnsureAsync();
        output.WriteLine($"debian-12 image ready after {build.Elapsed.TotalSeconds:0.0} s (0 when cached)");

        await using var home = new HangarHome();
        var key = Path.Combine(home.Path, "id_ed25519");
        var keygen = await ProcessRunner.Instance.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "it@hangar", "-f", key], null, CancellationToken.None);
        Assert.True(keygen.ExitCode == 0, keygen.StandardError);
        var publicKey = File.ReadAllText(key + ".pub").Trim();
        // The agent's age identity, made here before its first start (it keeps an identity it finds), so that a secret
        // for the guest can be encrypted to it with the real age before the VM exists.
        Directory.CreateDirectory(Path.Combine(home.Path, "agent"));
        AgeTool.Run("age-keygen", null, "-o", Path.Combine(home.Path, "agent", "identity.txt"));
        var agentRecipient = System.Text.Encoding.ASCII.GetString(AgeTool.Run("age-keygen", null, "-y", Path.Combine(home.Path, "agent", "identity.txt"))).Trim();
        Directory.CreateDirectory(Path.Combine(home.Path, "secrets"));
        AgeTool.Run("age", System.Text.Encoding.UTF8.GetBytes(SecretValue), "-r", agentRecipient, "-o", Path.Combine(home.Path, "secrets", "api-key.age"));
        // Who reads the VM's host key, which hangar up makes: the agent (and nobody's own key from this machine's HOME).
        File.WriteAllText(Path.Combine(home.Path, "secrets", "recipients.txt"), $"# agent\n{agentRecipient}\n");
        // The VM's host key, made before it ever ran, is the only recipient of a secret the guest opens itself.
        var made = await home.RunAsync("vm", "identity", "deb1", "--create", "--dir", Path.Combine(home.Path, "secrets"));
        Assert.True(made.ExitCode == 0, $"vm identity --create: {made}");
        var vmPub = Path.Combine(home.Path, "secrets", "identities", "deb1.pub");
        Assert.Equal(File.ReadAllText(vmPub), made.Stdout);
        AgeTool.Run("age", System.Text.Encoding.UTF8.GetBytes(GuestSecretValue), "-R", vmPub, "-o", Path.Combine(home.Path, "secrets", "db-password.age"));
        // The automatic SSH port comes from settings.sshPorts; a range of one reserved port keeps parallel runs apart.
        var port = home.ReservePort();
        var fleetText = $"""
            settings: {'{'} sshPorts: "{port}-{port}" {'}'}
            vms:
              deb1:
                image: debian-12
                memory: 1GiB
                # Healthy once sshd runs, as the guest's own systemd says it through the guest agent.
                health: {'{'} exec: [/usr/bin/systemctl, is-active, --quiet, ssh.service], timeout: 8m {'}'}
                credentials:
                  api-key: {'{'} secret: api-key {'}'}
                  motd: {'{'} value: "hello, debian" {'}'}
                  db-password: {'{'} secret: db-password, decrypt: guest {'}'}
                guest:
                  hostname: hangar-it-guest
                  users:
                    - name: ops
                      sshAuthorizedKeys: ["{publicKey}"]
                      sudo: true
            """;
        var fleet = home.WriteFleet(fleetText);

        var boot = Stopwatch.StartNew();
        var up = await HangarCli.RunAsync(home.Path, BootBudget + TimeSpan.FromMinutes(1), "up", fleet, "--timeout", "8m", "--confirm-timeout", "8m");
        Assert.True(up.ExitCode == 0, $"hangar up failed: {up}");
        output.WriteLine($"hangar up returned (ssh.service active, said through the guest agent) after {boot.Elapsed.TotalSeconds:0.0} s");
        var vm = (await home.StatusAsync()).Vms.Single();
        Assert.Equal((VmPhase.Running, HealthState.Healthy), (vm.Phase, vm.Health));
        Assert.Equal("/usr/bin/systemctl is-active --quiet ssh.service exited 0", vm.HealthDetail);
        Assert.Equal(new SshAccess(port, "ops", Automatic: true), vm.Ssh);
        Assert.Equal([$"{port}:22/tcp"], vm.Forwards);
        Assert.Contains($"127.0.0.1:{port}→22/tcp", (await home.OkAsync("vm", "list")).Stdout);

        // sshd may accept before cloud-init has written the user's key: ask again until the login works.
        var login = await Eventually.WaitAsync(() => SshAsync(key, port, "hostname; id -un; sudo -n id -u"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(3), "an SSH login as ops with the fleet's key");
        output.WriteLine($"logged in over SSH after {boot.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(["hangar-it-guest", "ops", "0"], login.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The guest's sshd offers exactly the host key hangar up made for the VM (cloud-init installed it from the seed).
        var hostKey = string.Join(' ', File.ReadAllText(Path.Combine(home.Path, "secrets", "identities", "deb1.pub")).Split(' ').Take(2));
        // ssh-keyscan gives up on a slow answer (a TCG guest is slow): a longer timeout, and again until it hears one.
        var scan = await Eventually.WaitAsync(() => ProcessRunner.Instance.RunAsync("ssh-keyscan",
                ["-T", "30", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "127.0.0.1"], null, CancellationToken.None),
            r => r.ExitCode == 0 && r.StandardOutput.Contains("ssh-", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "ssh-keyscan to hear the guest's host keys");
        Assert.Equal([$"[127.0.0.1]:{port} {hostKey}"], scan.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')));
        Assert.Equal($"{hostKey} deb1\n", (await home.OkAsync("vm", "identity", "deb1")).Stdout);

        // hangar ssh finds the port and the user itself, pins that key, and runs the command after --.
        var viaHangar = await Eventually.WaitAsync(() => home.RunAsync("ssh", "deb1", "--identity", key, "--", "hostname"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(2), "hangar ssh deb1 -- hostname");
        Assert.True(viaHangar.ExitCode == 0, $"hangar ssh failed: {viaHangar}");
        Assert.Equal("hangar-it-guest", viaHangar.Stdout.Trim());
        Assert.Equal($"hangar-deb1 {hostKey}\n", File.ReadAllText(Path.Combine(home.Path, "ssh", "deb1.known_hosts")));

        // Another key is refused: the login is the fleet's key, not an open door.
        var other = Path.Combine(home.Path, "other");
        await ProcessRunner.Instance.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other], null, CancellationToken.None);
        // A loaded machine can time an attempt out (-1): again until the guest answers, yes or no.
        var refused = await Eventually.WaitAsync(() => SshAsync(other, port, "true"),
            r => r.ExitCode == 0 || r.StandardError.Contains("Permission denied", StringComparison.Ordinal), TimeSpan.FromMinutes(2), "the guest to answer another key");
        Assert.Equal(255, refused.ExitCode);
        Assert.Contains("Permission denied", refused.StandardError);

        await CheckGuestAgentAsync(home);

        // systemd in the guest took both credentials from the hypervisor (fw_cfg and SMBIOS type 11).
        var secret = await home.RunAsync("vm", "exec", "deb1", "--", "/bin/cat", "/run/credentials/@system/api-key");
        Assert.True(secret.ExitCode == 0, $"reading the secret in the guest: {secret}");
        Assert.Equal(SecretValue, secret.Stdout);
        var motd = await home.RunAsync("vm", "exec", "deb1", "--", "/bin/cat", "/run/credentials/@system/motd");
        Assert.Equal("hello, debian", motd.Stdout);
        await CheckGuestOpensItsOwnSecretAsync(home);

        // A changed guest is an update: the running guest keeps its QEMU, and the new hostname comes with the next boot.
        var renamed = home.WriteFleet(fleetText.Replace("hangar-it-guest", "hangar-it-renamed", StringComparison.Ordinal), "renamed.yaml");
        var plan = await home.RunAsync("plan", renamed);
        Assert.True(plan.ExitCode == 2, $"plan: {plan}");
        Assert.Contains("takes effect at the VM's next boot", plan.Stdout);
        await home.OkAsync("apply", renamed);
        Assert.Equal(vm.Pid, (await home.StatusAsync()).Vms.Single().Pid);
        Assert.Equal("hangar-it-guest", (await Eventually.WaitAsync(() => SshAsync(key, port, "hostname"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(2), "an SSH login after the apply")).StandardOutput.Trim());
        await IgnoreAcpiPowerButtonAsync(home);
        var reboot = Stopwatch.StartNew();
        var restart = await HangarCli.RunAsync(home.Path, BootBudget + TimeSpan.FromMinutes(1), "vm", "restart", "deb1", "--timeout", "8m");
        Assert.True(restart.ExitCode == 0, $"vm restart failed: {restart}");
        var after = await Eventually.WaitAsync(() => SshAsync(key, port, "hostname"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(3), "an SSH login after the restart");
        output.WriteLine($"restarted and logged in again after {reboot.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("hangar-it-renamed", after.StandardOutput.Trim());
        // A new cloud-init instance (the guest changed) deleted the host keys and installed the VM's own again: the same.
        var pinned = await Eventually.WaitAsync(() => home.RunAsync("ssh", "deb1", "--identity", key, "--", "sudo", "-n", "cat", "/etc/ssh/ssh_host_ed25519_key.pub"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(2), "hangar ssh (pinned key) after the restart");
        Assert.True(pinned.ExitCode == 0, $"hangar ssh (pinned key) after the restart: {pinned}");
        Assert.StartsWith(hostKey, pinned.Stdout);
        // The guest ignored the ACPI power button (IgnoreAcpiPowerButtonAsync), so only guest-shutdown through its agent
        // powered it off gracefully; ACPI alone would have ended in quit after the graceful timeout.
        var log = File.ReadAllText(Path.Combine(home.Path, "hangar.log"));
        Assert.Contains("VM deb1 stopped (Graceful): restart requested", log);

        // Declared interfaces restart the VM, and its seed's network-config (version 2) names the NIC by the MAC the
        // file gives: cloud-init renders it for systemd-networkd, and the guest is reachable over it again. The same
        // generation adds two shares, which the seed's bootcmd mounts, and a balloon.
        var shared = Directory.CreateDirectory(Path.Combine(home.Path, "shared")).FullName;
        File.WriteAllText(Path.Combine(shared, "from-host.txt"), "shared-by-the-host\n");
        var withNic = home.WriteFleet(fleetText.Replace("hangar-it-guest", "hangar-it-renamed", StringComparison.Ordinal)
            + "\n    interfaces: [{type: user, mac: \"02:00:00:00:00:0a\"}]\n    balloon: true\n"
            + $"    shares:\n      work: {{source: {shared}, mountPoint: /srv/work}}\n      docs: {{source: {shared}, mountPoint: /srv/docs, readOnly: true}}\n", "nic.yaml");
        var applied = await HangarCli.RunAsync(home.Path, BootBudget + TimeSpan.FromMinutes(1), "apply", withNic, "--timeout", "8m", "--confirm-timeout", "8m");
        Assert.True(applied.ExitCode == 0, $"apply with interfaces: {applied}");
        var rendered = await Eventually.WaitAsync(() => SshAsync(key, port, "cat /sys/class/net/*/address; cat /etc/systemd/network/*cloud-init*.network"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(3), "an SSH login with the declared interface");
        Assert.Contains("02:00:00:00:00:0a", rendered.StandardOutput);
        Assert.Contains("MACAddress=02:00:00:00:00:0a", rendered.StandardOutput);
        await CheckSharesAndBalloonAsync(home, key, port, shared);
    }

    /// <summary>The shares, mounted by the seed's bootcmd over virtiofs, and the balloon, which takes memory from the guest live.</summary>
    private async Task CheckSharesAndBalloonAsync(HangarHome home, string key, int port, string shared)
    {
        // One SSH attempt may time out on a loaded machine: again until one answers (the command can run twice).
        var mounts = await Eventually.WaitAsync(() => SshAsync(key, port, "findmnt -no FSTYPE,OPTIONS /srv/work; findmnt -no FSTYPE,OPTIONS /srv/docs; cat /srv/docs/from-host.txt; "
            + "echo from-debian | sudo -n tee /srv/work/from-guest.txt >/dev/null; sudo -n touch /srv/docs/refused 2>/dev/null || echo docs-refused"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(3), "an SSH login that reads the shares");
        var lines = mounts.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("virtiofs rw", lines[0]);
        Assert.StartsWith("virtiofs ro", lines[1]);
        Assert.Equal(["shared-by-the-host", "docs-refused"], lines[2..]);
        Assert.Equal("from-debian\n", File.ReadAllText(Path.Combine(shared, "from-guest.txt")));

        var memTotal = async () => long.Parse((await Eventually.WaitAsync(() => SshAsync(key, port, "awk '/MemTotal/ {print $2}' /proc/meminfo"),
            r => r.ExitCode == 0, TimeSpan.FromMinutes(3), "an SSH login that reads MemTotal")).StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var before = await memTotal();
        await home.OkAsync("vm", "set", "deb1", "--balloon", "768MiB");
        await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single().Balloon?.ActualBytes,
            actual => actual == 768L << 20, TimeSpan.FromMinutes(4), "the balloon's actual size of 768MiB");
        var after = await memTotal();
        output.WriteLine($"MemTotal {before} KiB before the balloon, {after} KiB with a 768MiB target");
        Assert.InRange(before - after, 256 * 1024 - 4096, 256 * 1024 + 4096);
    }

    /// <summary>
    /// The guest's qemu-ga (from the image, started by udev when the channel appears) as Hangar sees it: OS, host name and
    /// addresses in the VM's status and <c>vm show</c>, and <c>vm exec</c> with output and exit code.
    /// </summary>
    private async Task CheckGuestAgentAsync(HangarHome home)
    {
        var seen = await Eventually.WaitAsync(async () => (await home.StatusAsync()).Vms.Single(), v => v.Guest is not null,
            TimeSpan.FromMinutes(2), "the guest agent to answer");
        output.WriteLine($"guest agent: {seen.Guest}");
        Assert.Equal("hangar-it-guest", seen.Guest!.HostName);
        Assert.StartsWith("Debian GNU/Linux 12", seen.Guest.Os);
        Assert.Contains("10.0.2.15/24", seen.Guest.Addresses);
        var show = await home.OkAsync("vm", "show", "deb1");
        Assert.Contains("guest hostname:  hangar-it-guest", show.Stdout);
        Assert.Contains("10.0.2.15/24", show.Stdout);

        var exec = await home.RunAsync("vm", "exec", "deb1", "--", "/bin/sh", "-c", "hostname; echo to-stderr >&2; exit 7");
        Assert.True(exec.ExitCode == 7, $"vm exec: {exec}");
        Assert.Equal("hangar-it-guest\n", exec.Stdout);
        Assert.Equal("to-stderr\n", exec.Stderr);
    }

    /// <summary>
    /// The secret encrypted to the VM's host key alone reached the guest as its age file, and the guest opens it with
    /// the host key it booted with (the first boot: the key was made before the VM existed). The image has no age: the
    /// host's static age binary is copied in through the guest agent.
    /// </summary>
    private static async Task CheckGuestOpensItsOwnSecretAsync(HangarHome home)
    {
        var sealedFile = await home.RunAsync("vm", "exec", "deb1", "--", "/usr/bin/head", "-c", "21", "/run/credentials/@system/db-password");
        Assert.Equal("age-encryption.org/v1", sealedFile.Stdout);
        using (var client = await Hangar.Client.HangarConnection.ConnectAsync(home.Path, CancellationToken.None))
        {
            var copy = await client.ExecAsync("deb1", new VmExecRequest(["/bin/sh", "-c", "cat > /usr/local/bin/age && chmod 755 /usr/local/bin/age"],
                File.ReadAllBytes("/usr/bin/age"), 300), CancellationToken.None);
            Assert.True(copy.ExitCode == 0, $"copying age into the guest: {System.Text.Encoding.UTF8.GetString(copy.Stderr)}");
        }
        var opened = await home.RunAsync("vm", "exec", "deb1", "--", "/usr/local/bin/age", "-d", "-i", "/etc/ssh/ssh_host_ed25519_key", "/run/credentials/@system/db-password");
        Assert.True(opened.ExitCode == 0, $"age -d in the guest: {opened}");
        Assert.Equal(GuestSecretValue, opened.Stdout);
    }

    /// <summary>Makes the guest ignore the ACPI power button, so that only a stop through its guest agent is graceful.
    /// Right before the restart: an SSH login while logind restarts can fail.</summary>
    private static async Task IgnoreAcpiPowerButtonAsync(HangarHome home)
    {
        var ignore = await home.RunAsync("vm", "exec", "deb1", "--", "/bin/sh", "-c",
            "mkdir -p /etc/systemd/logind.conf.d && printf '[Login]\\nHandlePowerKey=ignore\\n' > /etc/systemd/logind.conf.d/it.conf && systemctl restart systemd-logind");
        Assert.True(ignore.ExitCode == 0, $"vm exec (logind): {ignore}");
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
