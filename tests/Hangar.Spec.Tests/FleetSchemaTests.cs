using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hangar.Spec.Tests;

public sealed class FleetSchemaTests
{
    private static readonly JsonObject Schema = JsonNode.Parse(FleetSchema.ToJson())!.AsObject();

    private static JsonObject Def(string name) => Schema["$defs"]![name]!.AsObject();

    private static IEnumerable<string> PropertyNames(JsonObject schema) =>
        schema["properties"]!.AsObject().Select(p => p.Key);

    [Fact]
    public void ToJson_Always_IsDraft2020ObjectRequiringVms()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)Schema["$schema"]);
        Assert.Equal("object", (string?)Schema["type"]);
        Assert.False((bool)Schema["additionalProperties"]!);
        Assert.Equal(["vms"], Schema["required"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(FleetFields.Root, PropertyNames(Schema));
        Assert.Equal("#/$defs/vm", (string?)Schema["properties"]!["vms"]!["additionalProperties"]!["$ref"]);
        Assert.Equal("#/$defs/image", (string?)Schema["properties"]!["images"]!["additionalProperties"]!["$ref"]);
        Assert.Equal("#/$defs/settings", (string?)Schema["properties"]!["settings"]!["$ref"]);
    }

    [Fact]
    public void ToJson_FieldNames_EqualTheParsersKnownFields()
    {
        Assert.Equal(FleetFields.VmFields, PropertyNames(Def("vm")));
        Assert.Equal(FleetFields.ImageFields, PropertyNames(Def("image")));
        Assert.Equal(FleetFields.HealthFields, PropertyNames(Def("health")));
        Assert.Equal(FleetFields.SettingsFields, PropertyNames(Def("settings")));
    }

    [Fact]
    public void ToJson_EveryObjectWithProperties_ForbidsOtherPropertiesAndDescribesEachOne()
    {
        var objects = Walk(Schema).Where(o => o.ContainsKey("properties")).ToList();

        Assert.Equal(14, objects.Count); // root, settings, image, vm, health, health.http, placement, guest, guest user, guest file, credential, volume, interface, share
        foreach (var o in objects)
        {
            Assert.False((bool)o["additionalProperties"]!);
            foreach (var (name, property) in o["properties"]!.AsObject())
                Assert.False(string.IsNullOrWhiteSpace((string?)property!["description"]), $"'{name}' has no description");
        }
    }

    [Fact]
    public void ToJson_Defaults_MeanWhatTheParserFillsIn()
    {
        var vm = Def("vm")["properties"]!;
        var timeout = Def("health")["properties"]!["timeout"]!["default"];
        var explicitDefaults = Fleet.Valid($$"""
            vms:
              web:
                image: tiny
                vcpu: {{vm["vcpu"]!["default"]}}
                memory: {{vm["memory"]!["default"]}}
                autostart: {{vm["autostart"]!["default"]!.ToJsonString()}}
                restart: {{vm["restart"]!["default"]}}
                health: { serial: "{{BuiltinImages.TinyReadyMarker}}", timeout: {{timeout}} }
            """);

        Assert.Equal(Fleet.Valid("vms:\n  web:\n    image: tiny\n"), explicitDefaults);
        Assert.Equal("qcow2", (string?)Def("image")["properties"]!["format"]!["default"]);
    }

    [Fact]
    public void ToJson_SettingsDefaults_MeanWhatTheParserFillsIn()
    {
        var orphans = Def("settings")["properties"]!["orphans"]!;
        var explicitDefaults = Fleet.Valid($"settings:\n  orphans: {orphans["default"]}\nvms: {{}}\n");

        Assert.Equal(Fleet.Valid("vms: {}\n"), explicitDefaults);
        Assert.Equal(FleetSettings.Default, explicitDefaults.Settings);
    }

    [Theory]
    [InlineData("stop", true)]
    [InlineData("keep", true)]
    [InlineData("Keep", false)]
    [InlineData("kill", false)]
    public void ToJson_OrphansEnum_AgreesWithTheParser(string text, bool valid)
    {
        var allowed = Def("settings")["properties"]!["orphans"]!["enum"]!.AsArray().Select(n => (string?)n);
        var parsed = Fleet.Parse($"settings: {{ orphans: {text} }}\nvms: {{}}\n").IsValid;

        Assert.Equal((valid, valid), (allowed.Contains(text), parsed));
    }

    [Theory]
    [InlineData("512MiB")]
    [InlineData("2G")]
    [InlineData("1.5gib")]
    [InlineData("64 MB")]
    [InlineData("1024")]
    [InlineData("MiB")]
    [InlineData("1.2.3MiB")]
    [InlineData("10PiB")]
    public void ToJson_SizePattern_AgreesWithByteSizeParsing(string text)
    {
        var pattern = (string)Def("size")["pattern"]!;

        Assert.Equal(ByteSize.TryParse(text, out _, out _), Regex.IsMatch(text, pattern));
    }

    [Theory]
    [InlineData("8080:80", true)]
    [InlineData("53:53/udp", true)]
    [InlineData("53:53/UDP", false)]
    [InlineData("8080", false)]
    [InlineData(" 8080:80", false)]
    public void ToJson_ForwardPattern_AgreesWithTheParser(string text, bool valid)
    {
        var pattern = (string)Def("vm")["properties"]!["forwards"]!["items"]!["pattern"]!;
        var parsed = Fleet.Parse($"vms:\n  web: {{ image: tiny, forwards: [\"{text}\"] }}\n").IsValid;

        Assert.Equal((valid, valid), (Regex.IsMatch(text, pattern), parsed));
    }

    [Theory]
    [InlineData("web", true)]
    [InlineData("a-1", true)]
    [InlineData("web-", false)]
    [InlineData("1web", false)]
    [InlineData("Web", false)]
    public void ToJson_NamePattern_AgreesWithTheParser(string name, bool valid)
    {
        var pattern = (string)Def("name")["pattern"]!;
        var parsed = Fleet.Parse($"vms:\n  {name}: {{ image: tiny }}\n").IsValid;

        Assert.Equal((valid, valid), (Regex.IsMatch(name, pattern), parsed));
    }

    [Theory]
    [InlineData("120s", true)]
    [InlineData("250ms", true)]
    [InlineData("2h", true)]
    [InlineData("120", false)]
    [InlineData("1.5m", false)]
    public void ToJson_DurationPattern_AgreesWithTheParser(string text, bool valid)
    {
        var pattern = (string)Def("duration")["pattern"]!;
        var parsed = Fleet.Parse($"vms:\n  web: {{ image: tiny, health: {{ serial: up, timeout: {text} }} }}\n").IsValid;

        Assert.Equal((valid, valid), (Regex.IsMatch(text, pattern), parsed));
    }

    private static IEnumerable<JsonObject> Walk(JsonNode? node) => node switch
    {
        JsonObject o => new[] { o }.Concat(o.SelectMany(p => Walk(p.Value))),
        JsonArray a => a.SelectMany(Walk),
        _ => [],
    };
}
