using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Spec.Tests;

public sealed class FleetJsonTests
{
    private static FleetSpec ParsedFleet(TempDirectory dir)
    {
        dir.Write("d.qcow2", "");
        return Fleet.Valid($$"""
            settings: { orphans: keep }
            images:
              debian: { path: d.qcow2, sha256: {{Fleet.Sha}}, format: raw }
            vms:
              db: { image: debian, disk: 20GiB, restart: on-failure, autostart: false, forwards: ["5432:5432"], health: { tcp: 5432, timeout: 2m } }
              web: { image: tiny, vcpu: 2, memory: 1GiB, kernelArgs: quiet, forwards: ["8080:80", "5353:53/udp"] }
            """, dir.Path);
    }

    [Fact]
    public void Deserialize_SerializedParsedFleet_EqualsTheOriginal()
    {
        using var dir = new TempDirectory();
        var spec = ParsedFleet(dir);

        Assert.Equal(spec, FleetJson.Deserialize(FleetJson.Serialize(spec)));
    }

    [Fact]
    public void Deserialize_SerializedEdgeValues_EqualsTheOriginal()
    {
        var spec = new FleetSpec(
            new ValueList<VmSpec>([
                new VmSpec("a", "tiny", 64, new ByteSize(long.MaxValue), null, null, ValueList<PortForward>.Empty,
                    true, RestartPolicy.Never, new HealthCheckSpec("x", null, TimeSpan.FromTicks(12_345_678_901))),
                new VmSpec("b", "tiny", 1, ByteSize.FromMiB(64), ByteSize.FromMiB(1), "", default, false,
                    RestartPolicy.Always, null),
            ]),
            default);

        Assert.Equal(spec, FleetJson.Deserialize(FleetJson.Serialize(spec)));
    }

    [Fact]
    public void Serialize_ParsedFleet_WritesBytesMillisecondsAndCamelCaseEnums()
    {
        using var dir = new TempDirectory();
        var json = JsonNode.Parse(FleetJson.Serialize(ParsedFleet(dir)))!;
        var db = json["vms"]![0]!;

        Assert.Equal("db", (string?)db["name"]);
        Assert.Equal(20L * ByteSize.GiB, (long)db["disk"]!);
        Assert.Equal(256L * ByteSize.MiB, (long)db["memory"]!);
        Assert.Equal("onFailure", (string?)db["restart"]);
        Assert.Equal(120_000m, (decimal)db["health"]!["timeout"]!);
        Assert.Equal("udp", (string?)json["vms"]![1]!["forwards"]![1]!["protocol"]);
        Assert.Equal("raw", (string?)json["images"]![0]!["format"]);
        Assert.Equal("keep", (string?)json["settings"]!["orphans"]);
    }

    [Fact]
    public void Serialize_ParsedFleet_WritesTheBytesOfTheReflectionBasedForm()
    {
        using var dir = new TempDirectory();
        var spec = ParsedFleet(dir);
        var generated = FleetJson.Serialize(spec);

        Assert.Equal(JsonSerializer.Serialize(spec, ReflectionFleetJson.Options), generated);
        Assert.Equal(spec, JsonSerializer.Deserialize<FleetSpec>(generated, ReflectionFleetJson.Options));
    }

    [Theory]
    [InlineData(OrphanPolicy.Stop)]
    [InlineData(OrphanPolicy.Keep)]
    public void Deserialize_SerializedSettings_EqualsTheOriginal(OrphanPolicy orphans)
    {
        var spec = new FleetSpec(default, default) { Settings = new FleetSettings(orphans) };

        var back = FleetJson.Deserialize(FleetJson.Serialize(spec));

        Assert.Equal(spec, back);
        Assert.Equal(orphans, back.Settings.Orphans);
    }

    [Fact]
    public void Deserialize_StoredSpecWithoutSettings_GetsDefaultSettings()
    {
        // Generations stored before 'settings' existed have no such property.
        var spec = FleetJson.Deserialize("""{"vms":[],"images":[]}""");

        Assert.Equal(FleetSettings.Default, spec.Settings);
    }

    [Theory]
    [InlineData("""{"vms":[],"images":[],"extra":1}""")]
    [InlineData("""{"vms":[]}""")]
    [InlineData("""{"vms":null,"images":[]}""")]
    [InlineData("null")]
    [InlineData("""{"vms":[],"images":[],"settings":null}""")]
    [InlineData("""{"vms":[],"images":[],"settings":{"orphans":"kill"}}""")]
    [InlineData("""{"vms":[],"images":[],"settings":{"orphans":"keep","extra":1}}""")]
    [InlineData("""{"vms":[],"images":[],"settings":{}}""")]
    public void Deserialize_NotAStoredSpec_Throws(string json)
    {
        Assert.Throws<JsonException>(() => FleetJson.Deserialize(json));
    }

    [Fact]
    public void Deserialize_GenerationStoredBeforePlacement_ReadsAsAnywhere()
    {
        // A generation committed before placement existed (as the quick start's home of an earlier release has): the
        // source generator left Placement null and the scheduler threw on it, so the server failed every agent connect.
        const string stored = """
            {"vms":[{"name":"web","image":"tiny","vcpu":1,"memory":134217728,"disk":null,"kernelArgs":null,
            "forwards":[{"hostPort":8081,"guestPort":80,"protocol":"tcp"}],"autostart":true,"restart":"always","health":null}],
            "images":[],"settings":{"orphans":"stop"}}
            """;

        var vm = FleetJson.Deserialize(stored).Vms.Single();

        Assert.Same(VmPlacement.Anywhere, vm.Placement);
        Assert.True(vm.Placement.Admits("any-agent", new Dictionary<string, string>()));
    }

    [Fact]
    public void Deserialize_GenerationStoredBeforeGuest_ReadsAsNoGuestAndWritesTheSameBytes()
    {
        // A generation committed before 'guest' existed: it must read (no guest) and, written again, be the same text,
        // so that the first apply after an upgrade commits nothing new for an unchanged file.
        const string stored = """
            {"vms":[{"name":"web","image":"tiny","vcpu":1,"memory":134217728,"disk":null,"kernelArgs":null,"forwards":[],"autostart":true,"restart":"always","health":null,"placement":{"host":null,"labels":[],"movable":false}}],"images":[],"settings":{"orphans":"stop"}}
            """;

        var spec = FleetJson.Deserialize(stored);

        Assert.Null(spec.Vms.Single().Guest);
        Assert.Equal(stored, FleetJson.Serialize(spec));
    }

    [Fact]
    public void Deserialize_SerializedGuest_EqualsTheOriginal()
    {
        var spec = Fleet.Valid("""
            vms:
              deb1:
                image: debian-12
                guest:
                  users: [{name: ops, sshAuthorizedKeys: ["ssh-ed25519 AAAA ops"], sudo: true}]
                  packages: [curl]
                  writeFiles: [{path: /etc/motd, content: "hi\n", permissions: "0600"}]
                  runcmd: ["echo hi"]
                  timezone: UTC
            """);

        Assert.Equal(spec, FleetJson.Deserialize(FleetJson.Serialize(spec)));
        Assert.Equal(FleetJson.Serialize(spec), System.Text.Json.JsonSerializer.Serialize(spec, ReflectionFleetJson.Options));
    }
}
