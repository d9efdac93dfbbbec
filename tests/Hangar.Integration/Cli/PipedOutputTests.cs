using System.Security.Cryptography;
using System.Text.Json;
using Hangar.Integration.Support;
using Hangar.Qemu;

namespace Hangar.Integration.Cli;

/// <summary>
/// Output that is not a terminal (the test redirects it, as a pipe does): one table row per line, never wrapped; and
/// fleet-level changes (settings) in plan, apply and diff.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PipedOutputTests
{
    [Fact]
    public async Task Generations_And_Status_Piped_OneRowPerLineAndSettingsChangesShown()
    {
        await using var home = new HangarHome();
        var image = Path.Combine(home.Path, "base.qcow2");
        await new QemuImg().CreateBlankAsync(image, 64L << 20, CancellationToken.None);
        var digest = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        string Fleet(string orphans) => $"""
            settings: {"{"} orphans: {orphans} {"}"}
            images:
              blank: {"{"} path: ./base.qcow2, sha256: {digest} {"}"}
            vms:
              disky: {"{"} image: blank, memory: 64MiB {"}"}
            """;
        await home.OkAsync("up", home.WriteFleet(Fleet("stop")));

        var file = home.WriteFleet(Fleet("keep"));
        var plan = await home.RunAsync("plan", file);
        Assert.Equal(2, plan.ExitCode);
        Assert.Contains("  ~ settings.orphans: stop → keep", plan.Stdout);
        Assert.Contains("1 unchanged; 1 change outside the VMs.", plan.Stdout);
        var message = "keep orphans running while we move the database to its new host, see the runbook section on migrations";
        await home.OkAsync("apply", file, "-m", message);
        Assert.Contains("settings.orphans: stop → keep", (await home.OkAsync("diff", "1", "2")).Stdout);
        var json = JsonDocument.Parse((await home.OkAsync("diff", "1", "2", "--output", "json")).Stdout);
        Assert.Equal("settings.orphans: stop → keep", json.RootElement.GetProperty("fleetChanges")[0].GetString());

        var generations = Lines((await home.OkAsync("generations")).Stdout);
        Assert.Equal(3, generations.Length); // the header and one line per generation
        Assert.Equal(["GEN", "TIME", "BY", "STATUS", "VMS CHANGED", "MESSAGE"], generations[0].Split('\t'));
        Assert.Equal(message, generations.Single(l => l.StartsWith("2\t", StringComparison.Ordinal)).Split('\t')[5]);

        var status = Lines((await home.OkAsync("status")).Stdout);
        Assert.StartsWith("Generation 2", status[0]);
        Assert.Equal(["NAME", "DESIRED", "PHASE", "RUNS GEN", "HEALTH", "LAST ERROR"], status[1].Split('\t'));
        Assert.Equal(["disky", "running", "running"], status[2].Split('\t')[..3]);
        Assert.Equal(3, status.Length);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
