namespace Hangar.Spec.Tests;

/// <summary>The <c>exec</c> health check: a command the guest agent runs, healthy while it exits 0.</summary>
public sealed class FleetParserExecHealthTests
{
    private static string WithHealth(string health) => $"""
        vms:
          deb1:
            image: debian-12
            health:
        {health}
        """;

    [Fact]
    public void Parse_ExecList_IsAnExecCheckWithoutGuestPort()
    {
        var health = Fleet.Valid(WithHealth("""
                  exec: [systemctl, is-active, nginx]
                  timeout: 5m
                  interval: 20s
                  failures: 2
            """)).Vms[0].Health!;

        Assert.Equal(HealthCheckKind.Exec, health.Kind);
        Assert.Equal(["systemctl", "is-active", "nginx"], health.Exec!);
        Assert.Null(health.GuestPort);
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(20), 2), (health.Timeout, health.Interval, health.Failures));
    }

    [Fact]
    public void Parse_EmptyExecList_SaysWhatToGiveWithItsLocation()
    {
        var error = Fleet.SingleError(WithHealth("      exec: []"));

        Assert.Equal("vms.deb1.health.exec", error.Path);
        Assert.Equal((5, 13), (error.Line, error.Column));
        Assert.StartsWith("The command is empty", error.Message);
    }

    [Fact]
    public void Parse_EmptyProgram_IsAnErrorAtTheItem()
    {
        var error = Fleet.SingleError(WithHealth("      exec: [\"\", x]"));

        Assert.Equal("vms.deb1.health.exec[0]", error.Path);
        Assert.StartsWith("Expected the program to run", error.Message);
    }

    [Fact]
    public void Parse_ExecAsText_AsksForAList()
    {
        var error = Fleet.SingleError(WithHealth("      exec: systemctl is-active nginx"));

        Assert.Equal("vms.deb1.health.exec", error.Path);
        Assert.Contains("a command as a list", error.Message);
    }

    [Fact]
    public void Parse_ExecWithTcp_SaysGiveOnlyOne()
    {
        var error = Fleet.SingleError(WithHealth("""
                  exec: [/bin/true]
                  tcp: 22
            """));

        Assert.Equal("vms.deb1.health", error.Path);
        Assert.Equal("Give only one of 'serial', 'tcp', 'http' and 'exec'", error.Message);
    }

    [Fact]
    public void Parse_ChangedExecCommand_IsAnInPlaceHealthChange()
    {
        var before = Fleet.Valid(WithHealth("      exec: [/bin/true]"));
        var after = Fleet.Valid(WithHealth("      exec: [/bin/false]"));

        Assert.NotEqual(before.Vms[0].Health, after.Vms[0].Health);
        Assert.Equal("exec [/bin/false] within 120s, every 10s, unhealthy after 3 failures", FleetDiff.HealthText(after.Vms[0].Health));
    }
}
