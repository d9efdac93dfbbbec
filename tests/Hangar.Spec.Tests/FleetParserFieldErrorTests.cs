namespace Hangar.Spec.Tests;

/// <summary>Mistakes within one field or one mapping: each reported where it is, with what would be valid.</summary>
public sealed class FleetParserFieldErrorTests
{
    [Fact]
    public void Parse_MisspelledField_SuggestsTheClosestField()
    {
        var error = Fleet.SingleError("""
            vms:
              web:
                image: tiny
                memroy: 512MiB
            """);

        Assert.Equal("fleet.yaml:4:5: vms.web.memroy: Unknown field 'memroy'; did you mean 'memory'?", error.ToString());
    }

    [Fact]
    public void Parse_UnknownFieldFarFromAnyKnown_ListsTheValidFields()
    {
        var error = Fleet.SingleError("""
            vms:
              web:
                image: tiny
                network: default
            """);

        Assert.Equal((4, 5, "vms.web.network"), (error.Line, error.Column, error.Path));
        Assert.Equal("Unknown field 'network'; valid fields are image, vcpu, memory, disk, kernelArgs, forwards, " +
                     "autostart, restart, health, placement, guest, credentials, identity, volumes, display, interfaces, vsock, shares, balloon", error.Message);
    }

    [Fact]
    public void Parse_UnknownTopLevelField_IsReportedAtItsKey()
    {
        var error = Fleet.SingleError("vms: {}\nvm: {}\n");

        Assert.Equal("fleet.yaml:2:1: vm: Unknown field 'vm'; did you mean 'vms'?", error.ToString());
    }

    [Fact]
    public void Parse_DuplicateVmName_IsReportedAtTheSecondKey()
    {
        var error = Fleet.SingleError("""
            vms:
              web:
                image: tiny
              web:
                image: tiny
            """);

        Assert.Equal("fleet.yaml:4:3: vms.web: Duplicate key 'web'; it is already defined at line 2, column 3", error.ToString());
    }

    [Fact]
    public void Parse_DuplicateField_IsReportedAtTheSecondKey()
    {
        var error = Fleet.SingleError("vms:\n  web: { image: tiny, vcpu: 1, vcpu: 2 }\n");

        Assert.Equal((2, 32, "vms.web.vcpu"), (error.Line, error.Column, error.Path));
        Assert.StartsWith("Duplicate key 'vcpu'", error.Message);
    }

    [Fact]
    public void Parse_MissingImage_IsReportedAtTheVmMapping()
    {
        var error = Fleet.SingleError("""
            vms:
              web:
                vcpu: 2
            """);

        Assert.Equal((3, 5, "vms.web.image"), (error.Line, error.Column, error.Path));
        Assert.StartsWith("Missing required field 'image'", error.Message);
    }

    [Fact]
    public void Parse_MissingVms_IsReportedAtTheRootMapping()
    {
        var error = Fleet.SingleError("images: {}\n");

        Assert.Equal("fleet.yaml:1:1: vms: Missing required field 'vms': a mapping of VM names to VMs (use 'vms: {}' for none)",
            error.ToString());
    }

    [Fact]
    public void Parse_QuotedVcpu_NamesTheExpectedInteger()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n    vcpu: \"2\"\n");

        Assert.Equal("fleet.yaml:4:11: vms.web.vcpu: Expected an integer from 1 to 64, found the string '2'; " +
                     "write the number without quotes", error.ToString());
    }

    [Theory]
    [InlineData("0", "Expected an integer from 1 to 64, found 0")]
    [InlineData("65", "Expected an integer from 1 to 64, found 65")]
    [InlineData("two", "Expected an integer from 1 to 64, found 'two'")]
    [InlineData("[1]", "Expected an integer from 1 to 64, found a list")]
    public void Parse_BadVcpu_SaysWhatIsValid(string value, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    vcpu: {value}\n");

        Assert.Equal((4, 11, "vms.web.vcpu", message), (error.Line, error.Column, error.Path, error.Message));
    }

    [Theory]
    [InlineData("memory", "512", "'512' has no unit; write it with one, like 512MiB")]
    [InlineData("memory", "32MiB", "'32MiB' is too small; the minimum is 64MiB")]
    [InlineData("memory", "100.5MiB", "'100.5MiB' is not a whole number of MiB; write it in MiB, like 100MiB")]
    [InlineData("memory", "2XB", "'XB' is not a size unit; use B, KiB, MiB, GiB or TiB")]
    [InlineData("memory", "lots", "'lots' is not a size; write a number and a unit, like 512MiB or 2GiB")]
    [InlineData("disk", "512KiB", "'512KiB' is not a whole number of MiB; write it in MiB, like 1MiB")]
    [InlineData("disk", "0MiB", "'0MiB' is too small; the minimum is 1MiB")]
    [InlineData("disk", "0.5B", "'0.5B' is not a whole number of bytes")]
    [InlineData("disk", "99999999999999999999TiB", "'99999999999999999999TiB' is too large a size")]
    public void Parse_BadSize_ExplainsTheSizeRule(string field, string value, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    {field}: {value}\n");

        Assert.Equal((4, 7 + field.Length, $"vms.web.{field}", message), (error.Line, error.Column, error.Path, error.Message));
    }

    [Theory]
    [InlineData("\"8080\"", "'8080' is not a port forward; write HOST:GUEST, HOST:GUEST/tcp or HOST:GUEST/udp, like 8080:80")]
    [InlineData("\"8080:80/sctp\"", "'8080:80/sctp' is not a port forward; write HOST:GUEST, HOST:GUEST/tcp or HOST:GUEST/udp, like 8080:80")]
    [InlineData("\"0:80\"", "The host port 0 in '0:80' is out of range; ports are 1 to 65535")]
    [InlineData("\"8080:70000\"", "The guest port 70000 in '8080:70000' is out of range; ports are 1 to 65535")]
    [InlineData("{ host: 8080 }", "Expected a port forward such as \"8080:80\", found a mapping")]
    public void Parse_BadForward_IsReportedAtTheListItem(string item, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    forwards:\n      - \"22:22\"\n      - {item}\n");

        Assert.Equal((6, 9, "vms.web.forwards[1]", message), (error.Line, error.Column, error.Path, error.Message));
    }

    [Theory]
    [InlineData("120", "'120' has no unit; write it with one, like 120s")]
    [InlineData("0s", "'0s' is not a positive duration; it must be more than zero")]
    [InlineData("2d", "'2d' is not a duration; write an integer and a unit (ms, s, m or h), like 120s")]
    [InlineData("1.5s", "'1.5s' is not a duration; write an integer and a unit (ms, s, m or h), like 120s")]
    public void Parse_BadDuration_ExplainsTheDurationRule(string value, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    health:\n      serial: up\n      timeout: {value}\n");

        Assert.Equal((6, 16, "vms.web.health.timeout", message), (error.Line, error.Column, error.Path, error.Message));
    }

    [Fact]
    public void Parse_MisspelledRestartPolicy_SuggestsTheClosestPolicy()
    {
        var error = Fleet.SingleError("vms:\n  web: { image: tiny, restart: on-failur }\n");

        Assert.Equal("fleet.yaml:2:32: vms.web.restart: 'on-failur' is not one of always, on-failure, never; did you mean 'on-failure'?",
            error.ToString());
    }

    [Fact]
    public void Parse_QuotedBoolean_NamesTheExpectedType()
    {
        var error = Fleet.SingleError("vms:\n  web: { image: tiny, autostart: \"yes\" }\n");

        Assert.Equal("fleet.yaml:2:34: vms.web.autostart: Expected true or false, found the string 'yes'", error.ToString());
    }

    [Theory]
    [InlineData("{ serial: up, tcp: 80 }", "Give only one of 'serial', 'tcp', 'http' and 'exec'")]
    [InlineData("{ timeout: 10s }", "Give one of 'serial' (text to wait for on the serial console), 'tcp' (a guest port), 'http' (a guest port, or port, path and status) and 'exec' (a command the guest agent runs, such as [systemctl, is-active, nginx])")]
    public void Parse_HealthWithoutExactlyOneCheck_IsReportedAtTheHealthMapping(string health, string message)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    forwards: [\"8080:80\"]\n    health: {health}\n");

        Assert.Equal((5, 13, "vms.web.health", message), (error.Line, error.Column, error.Path, error.Message));
    }

    [Fact]
    public void Parse_ListWhereMappingExpected_NamesTheExpectedType()
    {
        var error = Fleet.SingleError("vms:\n  - image: tiny\n");

        Assert.Equal("fleet.yaml:2:3: vms: Expected a mapping of VM names to VMs, found a list", error.ToString());
    }

    [Fact]
    public void Parse_EmptyVmValue_SuggestsAnEmptyMapping()
    {
        var error = Fleet.SingleError("vms:\n  web:\n");

        Assert.Equal((2, 7, "vms.web"), (error.Line, error.Column, error.Path));
        Assert.Equal("Expected a VM (a mapping with at least 'image'), found an empty value (null); write {} for an empty one",
            error.Message);
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("9lives")]
    [InlineData("web-")]
    [InlineData("web_1")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Parse_InvalidVmName_ExplainsTheNameRule(string name)
    {
        var error = Fleet.SingleError($"vms:\n  {name}:\n    image: tiny\n");

        Assert.Equal((2, 3, $"vms.{name}"), (error.Line, error.Column, error.Path));
        Assert.Equal($"'{name}' is not a valid VM name; use 1 to 63 lowercase letters, digits and '-', " +
                     "starting with a letter and not ending with '-'", error.Message);
    }
}
