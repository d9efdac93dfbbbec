using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;

namespace Hangar.Protocol.Tests.Agent.Wire;

/// <summary>
/// The wire records replaced the fleet-file records in protocol version 1 without changing it: a desired state as
/// the code before them wrote it (<c>desired-v1-before-wire-types.json</c>, carrying fleet-file records) reads into
/// the same VMs, and what is written now is that JSON less two fields no agent read (<c>statusText</c>, a computed
/// property of the spec, and <c>minMemory</c>, a plan-time check of the control plane). Version 2 (the stream relay)
/// left <c>desired</c> as it was; version 3 sends an image's digest, size and URL but not its path. An agent still reads a
/// v1 <c>desired.json</c> kept on disk (the path in it is ignored: the image is fetched by digest).
/// </summary>
public sealed class LegacyDesiredStateTests
{
    [Fact]
    public void Read_DesiredStateWrittenBeforeWireTypes_GivesTheSameVms()
    {
        var message = Assert.IsType<DesiredStateMessage>(JsonSerializer.Deserialize<AgentMessage>(LegacyJson(), HangarJson.Options));

        Assert.Equal(SampleVms.OfLegacyFixture().Select(SampleVms.AsTheAgentGetsIt), message.Vms.Select(WireMapping.FromWire));
        Assert.Equal((3, 17, false, true, 5L), (message.Generation, message.Revision, message.PurgeRemoved, message.KeepOrphans, message.DiskGc));
    }

    [Fact]
    public void Write_SameDesiredState_IsTheLegacyJsonWithoutUnusedFields()
    {
        AgentMessage message = new DesiredStateMessage(3, 17, SampleVms.OfLegacyFixture().Select(WireMapping.ToWire).ToArray(), false, true, 5)
        {
            Id = "01a8544c5a51",
        };
        var expected = JsonNode.Parse(LegacyJson())!;
        foreach (var vm in expected["vms"]!.AsArray())
        {
            (vm!["spec"]!["health"]?["http"] as JsonObject)?.Remove("statusText");
            if (vm["image"] is JsonObject image)
            {
                image.Remove("minMemory");
                image.Remove("path"); // version 3: the agent fetches by digest, and is told the size and URL instead
                image["sizeBytes"] = null;
                image["url"] = null;
            }
        }
        expected["v"] = AgentProtocol.Version;

        var actual = JsonNode.Parse(JsonSerializer.Serialize(message, HangarJson.Options))!;

        Assert.True(JsonNode.DeepEquals(expected, actual), $"Expected\n{expected.ToJsonString()}\nbut wrote\n{actual.ToJsonString()}");
    }

    private static string LegacyJson([CallerFilePath] string sourceFile = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(sourceFile)!, "desired-v1-before-wire-types.json"));
}
