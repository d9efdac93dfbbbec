using System.Text.Json;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Hangar.Spec;

namespace Hangar.Protocol.Tests.Agent.Wire;

public sealed class WireMappingTests
{
    public static TheoryData<string> Names() => [.. SampleVms.All().Select(v => v.Spec.Name)];

    private static DesiredVm Sample(string name) => SampleVms.All().Single(v => v.Spec.Name == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void FromWire_OfToWire_EqualsTheOriginal(string name)
    {
        var vm = Sample(name);
        Assert.Equal(SampleVms.AsTheAgentGetsIt(vm), WireMapping.FromWire(WireMapping.ToWire(vm)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DesiredState_ThroughJsonAndBack_EqualsTheOriginal(string name)
    {
        var vm = Sample(name);
        AgentMessage sent = new DesiredStateMessage(4, 9, [WireMapping.ToWire(vm)], PurgeRemoved: false);
        var json = JsonSerializer.Serialize(sent, HangarJson.Options);
        var received = Assert.IsType<DesiredStateMessage>(JsonSerializer.Deserialize<AgentMessage>(json, HangarJson.Options));
        Assert.Equal(SampleVms.AsTheAgentGetsIt(vm), WireMapping.FromWire(Assert.Single(received.Vms)));
    }

    [Fact]
    public void ToWire_FileImage_SendsItsDigestSizeAndFormatButNoPath()
    {
        var vm = new DesiredVm(SampleVms.TcpHealth, SampleVms.Debian, true, 0, ImageBytes: 42);

        var json = JsonSerializer.Serialize(WireMapping.ToWire(vm), HangarJson.Options);

        Assert.DoesNotContain(SampleVms.Debian.Path!, json);
        Assert.DoesNotContain("\"path\"", json);
        var image = WireMapping.ToWire(vm).Image!;
        Assert.Equal((SampleVms.Debian.Sha256, 42L, WireDiskFormat.Raw, (string?)null), (image.Sha256, image.SizeBytes!.Value, image.Format, image.Url));
    }

    [Fact]
    public void ToWire_EveryHealthKind_IsSampled()
    {
        // The round trips above are only as good as their samples: they cover every kind of check and none.
        var kinds = SampleVms.All().Select(v => v.Spec.Health?.Kind).Distinct().ToHashSet();
        Assert.Equal([null, .. Enum.GetValues<HealthCheckKind>().Cast<HealthCheckKind?>()], kinds.OrderBy(k => k).ToArray());
        Assert.Equal(Enum.GetValues<RestartPolicy>(), SampleVms.All().Select(v => v.Spec.Restart).Distinct().Order());
        Assert.Equal(Enum.GetValues<DiskFormat>(), SampleVms.All().Select(v => v.Image?.Format).OfType<DiskFormat>().Distinct().Order());
    }

    [Fact]
    public void ToWire_ImageWithMinMemory_DoesNotSendIt()
    {
        var vm = new DesiredVm(SampleVms.TcpHealth, SampleVms.Debian with { MinMemory = ByteSize.FromMiB(1024) }, true, 0);

        var back = WireMapping.FromWire(WireMapping.ToWire(vm));

        Assert.Null(back.Image!.MinMemory);
        Assert.Equal(vm with { Image = SampleVms.Debian with { Path = null } }, back);
    }

    [Fact]
    public void FromWire_HealthWithoutIntervalFailuresRestart_TakesTheFleetDefaults()
    {
        // As a control plane from before these fields sends it.
        const string json = """{"serialMarker":null,"tcpGuestPort":22,"timeout":30000}""";
        var wire = JsonSerializer.Deserialize<WireHealthCheck>(json, HangarJson.Options)!;

        var health = WireMapping.FromWire(wire);

        Assert.Equal(SpecDefaults.HealthInterval, health.Interval);
        Assert.Equal(SpecDefaults.HealthFailures, health.Failures);
        Assert.Equal(SpecDefaults.HealthRestart, health.Restart);
        Assert.Equal(new HealthCheckSpec(null, 22, TimeSpan.FromSeconds(30)), health);
    }
}
