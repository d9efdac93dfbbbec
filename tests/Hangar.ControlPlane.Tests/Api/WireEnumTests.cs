using System.Text.Json;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Hangar.State;

namespace Hangar.ControlPlane.Tests.Api;

/// <summary>Closed sets became enums; their JSON must stay the words scripts already read.</summary>
public sealed class WireEnumTests
{
    [Theory]
    [InlineData(GenerationStatus.RollingOut, "\"rolling-out\"")]
    [InlineData(GenerationStatus.Active, "\"active\"")]
    [InlineData(GenerationStatus.Superseded, "\"superseded\"")]
    [InlineData(GenerationStatus.Failed, "\"failed\"")]
    [InlineData(GenerationStatus.RolledBack, "\"rolled-back\"")]
    public void GenerationStatus_OnTheWireAndInTheDatabase_IsTheSameWord(GenerationStatus status, string json)
    {
        var wire = HistoryQueries.StateOf(status);
        Assert.Equal(json, JsonSerializer.Serialize(wire, HangarJson.Options));
        Assert.Equal(wire, JsonSerializer.Deserialize<GenerationState>(json, HangarJson.Options));
        Assert.Equal(json.Trim('"'), status.ToText());
        Assert.Equal(status, GenerationStatusText.Parse(status.ToText()));
    }

    [Theory]
    [InlineData(RolloutState.Running, "\"running\"")]
    [InlineData(RolloutState.Succeeded, "\"succeeded\"")]
    [InlineData(RolloutState.Failed, "\"failed\"")]
    [InlineData(RolloutState.Cancelled, "\"cancelled\"")]
    public void RolloutState_IsWrittenAsItsWord(RolloutState state, string json) =>
        Assert.Equal(json, JsonSerializer.Serialize(state, HangarJson.Options));
}
