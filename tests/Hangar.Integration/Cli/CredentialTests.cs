using System.Security.Cryptography;
using System.Text;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Testing;

namespace Hangar.Integration.Cli;

/// <summary>
/// systemd credentials delivered to a real guest: the tiny image prints each credential it finds (fw_cfg
/// <c>opt/io.systemd.credentials/NAME</c>, SMBIOS type 11) with the sha256 of its content. The secret is written with
/// the real <c>age</c> to the home agent's recipient; its plaintext, a random marker, must reach the guest and nothing else.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class CredentialTests
{
    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static int Count(string text, string line) => text.Split('\n').Count(l => l.TrimEnd('\r').EndsWith(line, StringComparison.Ordinal));

    private static void EncryptSecret(HangarHome home, string name, string plaintext, string recipient) =>
        AgeTool.Run("age", Encoding.UTF8.GetBytes(plaintext), "-r", recipient, "-o", Path.Combine(home.Path, "secrets", name + ".age"));

    [Fact]
    public async Task Up_SecretValueAndFile_ReachTheGuestAtEveryBootAndThePlaintextNowhereElse()
    {
        await using var home = new HangarHome();
        var marker = "marker-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        // The home's agent makes its age identity on its first start: start it with an empty fleet.
        await home.OkAsync("up", home.WriteFleet("vms: {}\n", "empty.yaml"));
        var recipient = File.ReadAllText(Path.Combine(home.Path, "agent", "recipient.txt")).Trim();
        Directory.CreateDirectory(Path.Combine(home.Path, "secrets"));
        EncryptSecret(home, "api-key", marker, recipient);
        var caFile = Path.Combine(home.Path, "ca.pem");
        File.WriteAllText(caFile, "-----BEGIN CERTIFICATE-----\nnot really\n");
        var fleet = home.WriteFleet($"""
            vms:
              web:
                image: tiny
                credentials:
                  api-key: {"{"}secret: api-key{"}"}
                  motd: {"{"}value: "hello, there"{"}"}
                  HOST-CA: {"{"}file: {caFile}{"}"}
            """);

        await home.OkAsync("up", fleet);

        var log = home.SerialLogText("web");
        Assert.Equal(1, Count(log, $"credential api-key sha256 {Sha256(marker)}"));
        Assert.Equal(1, Count(log, $"credential motd sha256 {Sha256("hello, there")}")); // the comma survived QEMU's option syntax
        Assert.Equal(1, Count(log, $"credential HOST-CA sha256 {Sha256(File.ReadAllText(caFile))}"));

        // Decrypted again at the next start, from the same ciphertext.
        await home.OkAsync("vm", "restart", "web");
        await Eventually.WaitAsync(() => Task.FromResult(home.SerialLogText("web")), text => Count(text, $"credential api-key sha256 {Sha256(marker)}") == 2,
            TimeSpan.FromMinutes(2), "the secret after a restart");

        // A new value of the secret is a change that restarts the VM; a rollback hands the guest the old one again.
        var marker2 = marker + "-two";
        EncryptSecret(home, "api-key", marker2, recipient);
        var plan = await home.RunAsync("plan", fleet);
        Assert.Equal(2, plan.ExitCode); // changes planned
        Assert.Contains("credentials: ", plan.Stdout);
        Assert.DoesNotContain(marker, plan.Stdout);
        await home.OkAsync("apply", fleet);
        Assert.Equal(1, Count(home.SerialLogText("web"), $"credential api-key sha256 {Sha256(marker2)}"));
        await home.OkAsync("rollback");
        Assert.Equal(3, Count(home.SerialLogText("web"), $"credential api-key sha256 {Sha256(marker)}"));

        // Where the plaintext must not be: the home (state, database, hangar.log, events), the runtime directory and
        // the staging area, what the API answers, and every QEMU's command line.
        var answers = new StringBuilder();
        foreach (var args in new[] { new[] { "vm", "list", "-o", "json" }, ["status", "-o", "json"], ["events", "-o", "json"], ["generations", "-o", "json"],
                     ["show", "generation", "1", "-o", "json"], ["show", "generation", "3", "-o", "json"], ["logs", "web"] })
            answers.Append((await home.OkAsync(args)).Stdout);
        Assert.DoesNotContain(marker, answers.ToString());
        Assert.Contains("HOST-CA", answers.ToString()); // the search looked at answers that name the credentials
        foreach (var pid in home.QemuPids())
        {
            var commandLine = QemuProcesses.CommandLine(pid);
            Assert.Contains("opt/io.systemd.credentials/api-key", commandLine);
            Assert.DoesNotContain(marker, commandLine);
        }
        PlaintextSearch.AssertNowhereUnder(home.Path, marker);
        PlaintextSearch.AssertNowhereUnder(home.RuntimeDirectory, marker);
        PlaintextSearch.AssertNowhereUnder("/dev/shm", marker);
        Assert.DoesNotContain(Directory.GetDirectories("/dev/shm", "hangar-credentials-*"), d => Directory.EnumerateFileSystemEntries(d, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Apply_SecretThisAgentCannotOpen_FailsThatVmWithTheReasonAndStartsNoQemuForIt()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet("vms: {}\n", "empty.yaml"));
        Directory.CreateDirectory(Path.Combine(home.Path, "secrets"));
        var other = Path.Combine(home.Path, "other-identity.txt");
        AgeTool.Run("age-keygen", null, "-o", other);
        EncryptSecret(home, "theirs", "not for this host", Encoding.UTF8.GetString(AgeTool.Run("age-keygen", null, "-y", other)).Trim());

        var result = await home.RunAsync("apply", "--no-auto-rollback", "--confirm-timeout", "30s", home.WriteFleet("""
            vms:
              bad:
                image: tiny
                credentials:
                  k: {secret: theirs}
            """));

        Assert.NotEqual(0, result.ExitCode);
        var vm = (await home.StatusAsync()).Vms.Single(v => v.Name == "bad");
        Assert.Equal(VmPhase.Failed, vm.Phase);
        Assert.Contains("credential 'k' (secret 'theirs'): this agent cannot open secrets/theirs.age", vm.LastError);
        Assert.Contains(File.ReadAllText(Path.Combine(home.Path, "agent", "recipient.txt")).Trim(), vm.LastError);
        Assert.DoesNotContain(home.QemuPids(), pid => QemuProcesses.CommandLine(pid).Contains("guest=bad", StringComparison.Ordinal));
    }
}
