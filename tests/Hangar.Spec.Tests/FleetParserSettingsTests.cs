namespace Hangar.Spec.Tests;

/// <summary>The top-level <c>settings</c> mapping.</summary>
public sealed class FleetParserSettingsTests
{
    [Fact]
    public void Parse_NoSettings_GivesDefaultSettings()
    {
        var spec = Fleet.Valid("vms: {}\n");

        Assert.Equal(new FleetSettings(OrphanPolicy.Stop), spec.Settings);
    }

    [Fact]
    public void Parse_EmptySettingsMapping_GivesDefaultSettings()
    {
        var spec = Fleet.Valid("settings: {}\nvms: {}\n");

        Assert.Equal(FleetSettings.Default, spec.Settings);
    }

    [Theory]
    [InlineData("stop", OrphanPolicy.Stop)]
    [InlineData("keep", OrphanPolicy.Keep)]
    public void Parse_OrphansPolicy_ReadsIt(string text, OrphanPolicy expected)
    {
        var spec = Fleet.Valid($"""
            settings:
              orphans: {text}
            vms:
              web: {"{"} image: tiny {"}"}
            """);

        Assert.Equal(new FleetSettings(expected), spec.Settings);
        Assert.Equal("web", Assert.Single(spec.Vms).Name);
    }

    [Fact]
    public void Parse_SameFleetWithOtherSettings_IsNotEqual()
    {
        var stop = Fleet.Valid("settings: { orphans: stop }\nvms: {}\n");
        var keep = Fleet.Valid("settings: { orphans: keep }\nvms: {}\n");

        Assert.NotEqual(stop, keep);
        Assert.Equal(stop with { Settings = new FleetSettings(OrphanPolicy.Keep) }, keep);
    }

    [Fact]
    public void Parse_UnknownOrphansValue_IsReportedAtTheValueWithASuggestion()
    {
        var error = Fleet.SingleError("""
            settings:
              orphans: keeep
            vms: {}
            """);

        Assert.Equal("fleet.yaml:2:12: settings.orphans: 'keeep' is not one of stop, keep; did you mean 'keep'?",
            error.ToString());
    }

    [Fact]
    public void Parse_OrphansNotAScalar_SaysWhatIsValid()
    {
        var error = Fleet.SingleError("settings:\n  orphans: [stop]\nvms: {}\n");

        Assert.Equal("fleet.yaml:2:12: settings.orphans: Expected one of stop, keep, found a list", error.ToString());
    }

    [Fact]
    public void Parse_MisspelledSettingsField_SuggestsTheClosestField()
    {
        var error = Fleet.SingleError("""
            settings:
              orphan: keep
            vms: {}
            """);

        Assert.Equal("fleet.yaml:2:3: settings.orphan: Unknown field 'orphan'; did you mean 'orphans'?", error.ToString());
    }

    [Fact]
    public void Parse_UnknownSettingsFieldFarFromAnyKnown_ListsTheValidFields()
    {
        var error = Fleet.SingleError("settings:\n  network: host\nvms: {}\n");

        Assert.Equal("fleet.yaml:2:3: settings.network: Unknown field 'network'; valid fields are orphans, sshPorts, vncPorts", error.ToString());
    }

    [Fact]
    public void Parse_EmptySettingsValue_AsksForAMapping()
    {
        var error = Fleet.SingleError("settings:\nvms: {}\n");

        Assert.Equal((1, 10, "settings"), (error.Line, error.Column, error.Path));
        Assert.Equal("Expected fleet-wide settings (a mapping, such as { orphans: stop }), found an empty value (null); " +
                     "write {} for an empty one", error.Message);
    }

    [Fact]
    public void Parse_BadSettingsAndBadVm_ReportsBoth()
    {
        var errors = Fleet.Errors("""
            settings: { orphans: kill }
            vms:
              web: { image: tiny, vcpu: 0 }
            """);

        Assert.Equal([
            "fleet.yaml:1:22: settings.orphans: 'kill' is not one of stop, keep",
            "fleet.yaml:3:29: vms.web.vcpu: Expected an integer from 1 to 64, found 0",
        ], errors);
    }
}
