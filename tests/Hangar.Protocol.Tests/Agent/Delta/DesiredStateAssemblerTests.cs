using System.Text.Json;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Delta;
using Hangar.Protocol.Agent.Wire;
using Hangar.Spec;
using Xunit;

namespace Hangar.Protocol.Tests.Agent.Delta;

public sealed class DesiredStateAssemblerTests
{
    private static WireDesiredVm Vm(string name, long nonce = 0) =>
        WireMapping.ToWire(new DesiredVm(FleetParser.Parse($"vms:\n  {name}:\n    image: tiny\n", "f.yaml", null).Spec!.Vms[0], null, true, nonce));

    private static DesiredStateMessage Empty => new(0, 0, [], false);

    [Fact]
    public void Delta_FromTheRevisionItHas_IsAppliedAndNamesOnlyTheVmsItTouched()
    {
        var assembler = new DesiredStateAssembler(Empty);
        assembler.Receive(new DesiredStateMessage(1, 10, [Vm("a"), Vm("b"), Vm("c")], false));

        var step = Assert.IsType<DesiredStep.Apply>(assembler.Receive(new DesiredDeltaMessage(1, 10, 11, [Vm("b", nonce: 1), Vm("d")], ["c"], false)));

        Assert.Equal(["a", "b", "d"], step.State.Vms.Select(v => v.Spec.Name));
        Assert.Equal(1, step.State.Vms[1].RestartNonce);
        Assert.Equal(11, step.State.Revision);
        Assert.Equal(new HashSet<string> { "b", "c", "d" }, step.Changed);
    }

    [Fact]
    public void Delta_FromAnotherRevision_AsksForASnapshotOnceAndIgnoresDeltasUntilOneComes()
    {
        var assembler = new DesiredStateAssembler(Empty);
        assembler.Receive(new DesiredStateMessage(1, 10, [Vm("a")], false));

        // The delta 10 → 11 was lost: 11 → 12 does not follow from 10.
        var resync = Assert.IsType<DesiredStep.Resync>(assembler.Receive(new DesiredDeltaMessage(1, 11, 12, [Vm("b")], [], false)));
        Assert.Equal(10, resync.HaveRevision);
        Assert.IsType<DesiredStep.Wait>(assembler.Receive(new DesiredDeltaMessage(1, 12, 13, [Vm("c")], [], false)));
        Assert.Equal(10, assembler.Current.Revision);

        var snapshot = Assert.IsType<DesiredStep.Apply>(assembler.Receive(new DesiredStateMessage(1, 14, [Vm("a"), Vm("b"), Vm("c")], false)));
        Assert.Null(snapshot.Changed);
        Assert.IsType<DesiredStep.Apply>(assembler.Receive(new DesiredDeltaMessage(1, 14, 15, [], ["a"], false)));
        Assert.Equal(["b", "c"], assembler.Current.Vms.Select(v => v.Spec.Name));
    }

    [Fact]
    public void SnapshotTooLargeForOneFrame_IsSentInFramesUnderTheLimit_AndPutBackTogether()
    {
        // More VMs than one frame could hold: the whole snapshot in one frame would be refused by the peer.
        var template = Vm("vm-00000");
        var vms = Enumerable.Range(0, 80_000).Select(i => template with { Spec = template.Spec with { Name = $"vm-{i:00000}" } }).ToArray();
        var whole = new DesiredStateMessage(3, 20, vms, false);
        Assert.True(JsonSerializer.SerializeToUtf8Bytes<AgentMessage>(whole, HangarJson.Options).Length > AgentProtocol.MaxFrameBytes);

        var frames = AgentFrames.Snapshot(whole).ToArray();
        var assembler = new DesiredStateAssembler(Empty);
        DesiredStep last = new DesiredStep.Wait();
        foreach (var frame in frames)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes<AgentMessage>(frame, HangarJson.Options);
            Assert.True(bytes.Length < AgentProtocol.MaxFrameBytes / 16, $"a frame of {bytes.Length} bytes");
            last = assembler.Receive((DesiredStateMessage)JsonSerializer.Deserialize<AgentMessage>(bytes, HangarJson.Options)!);
        }

        Assert.Equal(80_000 / AgentProtocol.MaxVmsPerFrame, frames.Length);
        var applied = Assert.IsType<DesiredStep.Apply>(last);
        Assert.Equal(vms.Select(v => v.Spec.Name), applied.State.Vms.Select(v => v.Spec.Name));
        Assert.False(applied.State.More);
    }

    [Fact]
    public void SnapshotCutShortByAReconnect_IsDropped()
    {
        var assembler = new DesiredStateAssembler(Empty);
        Assert.IsType<DesiredStep.Wait>(assembler.Receive(new DesiredStateMessage(1, 5, [Vm("a")], false, More: true)));
        assembler.Reset();

        var applied = Assert.IsType<DesiredStep.Apply>(assembler.Receive(new DesiredStateMessage(1, 6, [Vm("b")], false)));
        Assert.Equal(["b"], applied.State.Vms.Select(v => v.Spec.Name));
    }
}
