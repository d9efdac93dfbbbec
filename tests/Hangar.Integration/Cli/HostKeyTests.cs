using System.Security.Cryptography;
using System.Text;
using Hangar.Integration.Support;
using Hangar.Testing;

namespace Hangar.Integration.Cli;

/// <summary>
/// A VM's stable SSH host key (<c>identity</c>) on the tiny guest, which prints the sha256 of each credential it finds:
/// the CLI makes the key at the first apply, the guest gets the same one at every boot, after a new generation and after a
/// rollback, <c>hangar vm identity</c> publishes it, and its private key is nowhere but in the age file and the guest.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class HostKeyTests
{
    private static int Count(string text, string line) => text.Split('\n').Count(l => l.TrimEnd('\r').EndsWith(line, StringComparison.Ordinal));

    [Fact]
    public async Task Up_VmWithIdentity_GetsOneKeyMadeOnceThatSurvivesRestartsGenerationsAndRollbacks()
    {
        await using var home = new HangarHome();
        var mine = await StartWithRecipientsAsync(home);
        const string Fleet = "vms:\n  web:\n    image: tiny\n    identity: true\n";
        var fleet = home.WriteFleet(Fleet);

        var plan = await home.RunAsync("plan", fleet);
        Assert.Contains("identity: a new ssh-ed25519 key, made at apply", plan.Stdout);
        Assert.False(File.Exists(Path.Combine(home.Path, "secrets", "identities", "web.pub"))); // a plan writes nothing
        var up = await home.OkAsync("up", fleet);

        var pubFile = Path.Combine(home.Path, "secrets", "identities", "web.pub");
        var publicKey = string.Join(' ', File.ReadAllText(pubFile).Split(' ').Take(2));
        var pem = AgeTool.Run("age", null, "-d", "-i", mine, Path.Combine(home.Path, "secrets", "identities", "web.age"));
        var keyFile = Path.Combine(home.Path, "it-host-key");
        File.WriteAllBytes(keyFile, pem);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // What ssh-keygen derives from the private key is the published public key.
        Assert.Equal(publicKey, string.Join(' ', Encoding.ASCII.GetString(AgeTool.Run("ssh-keygen", null, "-y", "-f", keyFile)).Trim().Split(' ').Take(2)));
        var fingerprint = Encoding.ASCII.GetString(AgeTool.Run("ssh-keygen", null, "-l", "-E", "sha256", "-f", pubFile)).Split(' ')[1];
        Assert.Contains($"Made VM web's SSH host key {fingerprint}", up.Stderr);
        File.Delete(keyFile);
        var line = $"credential hangar.ssh-host-key sha256 {Convert.ToHexStringLower(SHA256.HashData(pem))}";
        Assert.Equal(1, Count(home.SerialLogText("web"), line));

        var identity = await home.OkAsync("vm", "identity", "web");
        Assert.Equal($"{publicKey} web\n", identity.Stdout);
        Assert.Contains(fingerprint, identity.Stderr);
        Assert.Equal($"hangar-web {publicKey}\n", (await home.OkAsync("vm", "identity", "web", "--known-hosts")).Stdout);
        Assert.Contains($"host key:        {fingerprint}", (await home.OkAsync("vm", "show", "web")).Stdout);

        // The same key at the next boot, in a new generation (memory changed: a restart), and after the rollback.
        await home.OkAsync("vm", "restart", "web");
        await Eventually.WaitAsync(() => Task.FromResult(home.SerialLogText("web")), text => Count(text, line) == 2, TimeSpan.FromMinutes(2), "the key after a restart");
        await home.OkAsync("apply", home.WriteFleet(Fleet + "    memory: 320MiB\n", "bigger.yaml"));
        Assert.Equal(3, Count(home.SerialLogText("web"), line));
        var again = await home.RunAsync("plan", home.WriteFleet(Fleet + "    memory: 320MiB\n", "bigger.yaml"));
        Assert.Equal(0, again.ExitCode); // the key files are read as they are: no new key, no change
        await home.OkAsync("rollback");
        Assert.Equal(4, Count(home.SerialLogText("web"), line));
        Assert.Equal(publicKey, string.Join(' ', File.ReadAllText(pubFile).Split(' ').Take(2)));

        // The private key is in the age file and the guest only: not in the home, the runtime directory, the staging
        // area, the API's answers or QEMU's command line.
        // The longest run of a line of the key's base64 without '+' and '/': JSON answers escape '+' (\u002B).
        var body = Encoding.ASCII.GetString(pem).Split('\n')[2].Split('+', '/').MaxBy(part => part.Length)!;
        Assert.True(body.Length >= 8, $"'{body}' is too short to search for");
        var answers = new StringBuilder();
        foreach (var args in new[] { new[] { "vm", "list", "-o", "json" }, ["status", "-o", "json"], ["events", "-o", "json"], ["show", "generation", "2", "-o", "json"] })
            answers.Append((await home.OkAsync(args)).Stdout);
        Assert.DoesNotContain(body, answers.ToString());
        Assert.Equal(publicKey, (await home.StatusAsync()).Vms.Single().HostKey); // the answers do carry the public key
        foreach (var pid in home.QemuPids())
        {
            var commandLine = QemuProcesses.CommandLine(pid);
            Assert.Contains("opt/io.systemd.credentials/hangar.ssh-host-key", commandLine);
            Assert.DoesNotContain(body, commandLine);
        }
        PlaintextSearch.AssertNowhereUnder(home.Path, body, "The VM's private host key");
        PlaintextSearch.AssertNowhereUnder(home.RuntimeDirectory, body, "The VM's private host key");
        PlaintextSearch.AssertNowhereUnder("/dev/shm", body, "The VM's private host key");
    }

    [Fact]
    public async Task Up_DiskImageWithAGuest_TheSeedWithTheKeyIsOnlyOnTheTmpfsWhereQemuHoldsItUnlinked()
    {
        await using var home = new HangarHome();
        var mine = await StartWithRecipientsAsync(home);
        // A disk that boots nothing: QEMU runs, and the VM's cloud-init seed (for a guest mapping) is attached all the same.
        var image = Path.Combine(home.Path, "blank.qcow2");
        await new Hangar.Qemu.QemuImg().CreateBlankAsync(image, 32L * 1024 * 1024, CancellationToken.None);
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(image)));

        await home.OkAsync("up", home.WriteFleet($"images:\n  blank:\n    path: ./blank.qcow2\n    sha256: {sha}\nvms:\n  box:\n    image: blank\n    memory: 64MiB\n    guest: {{hostname: box}}\n"));

        var pem = Encoding.ASCII.GetString(AgeTool.Run("age", null, "-d", "-i", mine, Path.Combine(home.Path, "secrets", "identities", "box.age")));
        var body = pem.Split('\n')[2].Split('+', '/').MaxBy(part => part.Length)!;
        var pid = Assert.Single(home.QemuPids());
        var seed = Directory.GetFiles($"/proc/{pid}/fd").Select(fd => (Fd: fd, Target: new FileInfo(fd).LinkTarget ?? ""))
            .Single(f => f.Target.EndsWith("/box/.seed/seed.iso (deleted)", StringComparison.Ordinal));
        Assert.Equal("tmpfs", Hangar.Secrets.PrivateTmpfs.FileSystemOf(Path.GetDirectoryName(Path.GetDirectoryName(seed.Target))!));
        var iso = Encoding.ASCII.GetString(File.ReadAllBytes(seed.Fd)); // what the guest reads: the key, through QEMU's open file
        Assert.Contains("ed25519_private", iso);
        Assert.Contains(body, iso);
        PlaintextSearch.AssertNowhereUnder(home.Path, body, "The VM's private host key");
        PlaintextSearch.AssertNowhereUnder(home.RuntimeDirectory, body, "The VM's private host key");
        PlaintextSearch.AssertNowhereUnder("/dev/shm", body, "The VM's private host key");
    }

    /// <summary>
    /// Starts the home's agent (it makes its age identity on its first start) and a recipients file listing it and an
    /// identity of the test's own, the other reader of the host keys; returns that identity's file.
    /// </summary>
    private static async Task<string> StartWithRecipientsAsync(HangarHome home)
    {
        await home.OkAsync("up", home.WriteFleet("vms: {}\n", "empty.yaml"));
        var agent = File.ReadAllText(Path.Combine(home.Path, "agent", "recipient.txt")).Trim();
        var mine = Path.Combine(home.Path, "it-identity.txt");
        AgeTool.Run("age-keygen", null, "-o", mine);
        var me = Encoding.ASCII.GetString(AgeTool.Run("age-keygen", null, "-y", mine)).Trim();
        Directory.CreateDirectory(Path.Combine(home.Path, "secrets"));
        File.WriteAllText(Path.Combine(home.Path, "secrets", "recipients.txt"), $"# agent\n{agent}\n\n# it\n{me}\n");
        return mine;
    }

    [Fact]
    public async Task Up_HostKeyThisAgentCannotOpen_FailsTheVmSayingToRekey()
    {
        await using var home = new HangarHome();
        var other = Path.Combine(home.Path, "other-identity.txt");
        AgeTool.Run("age-keygen", null, "-o", other);
        Directory.CreateDirectory(Path.Combine(home.Path, "secrets"));
        File.WriteAllText(Path.Combine(home.Path, "secrets", "recipients.txt"),
            "# someone else\n" + Encoding.ASCII.GetString(AgeTool.Run("age-keygen", null, "-y", other)).Trim() + "\n");

        var result = await home.RunAsync("up", "--no-auto-rollback", "--confirm-timeout", "30s", home.WriteFleet("vms:\n  web: {image: tiny, identity: true}\n"));

        Assert.NotEqual(0, result.ExitCode);
        var vm = (await home.StatusAsync()).Vms.Single();
        Assert.Contains("the host key of VM web (secrets/identities/web.age): this agent cannot open it", vm.LastError);
        Assert.Contains("hangar secret rekey", vm.LastError);
        Assert.Empty(home.QemuPids());
    }
}
