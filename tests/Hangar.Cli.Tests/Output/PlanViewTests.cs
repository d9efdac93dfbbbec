using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Tests.Output;

/// <summary>The text of <c>hangar plan</c> for every kind of change (golden text).</summary>
public sealed class PlanViewTests
{
    [Fact]
    public void Render_EveryKindOfChange_MatchesGoldenText()
    {
        var plan = new PlanResponse(4, true, [
            new PlanEntry("api", PlanAction.Update, ["restart: always → on-failure", "health: none → tcp 80 within 60s"]),
            new PlanEntry("cache", PlanAction.Unchanged, []),
            new PlanEntry("db", PlanAction.Replace, ["memory: 1GiB → 2GiB", "forwards: 5432:5432/tcp → 5433:5432/tcp"]),
            new PlanEntry("new", PlanAction.Create, ["image: tiny", "vcpu: 1", "memory: 256MiB"]),
            new PlanEntry("old", PlanAction.Delete, []),
        ], ["vms.db.forwards[0]: host port 5433/tcp is already in use on this host"]);

        Assert.Equal("""
            Plan against generation 4:
              ~ api (update in place)
                  restart: always → on-failure
                  health: none → tcp 80 within 60s
              -/+ db (replace, restarts)
                  memory: 1GiB → 2GiB
                  forwards: 5432:5432/tcp → 5433:5432/tcp
              + new (create)
                  image: tiny
                  vcpu: 1
                  memory: 256MiB
              - old (delete)
            1 to create, 1 to update in place, 1 to replace (restart), 1 to delete, 1 unchanged.
            problem: vms.db.forwards[0]: host port 5433/tcp is already in use on this host

            """.ReplaceLineEndings("\n"), PlanView.Render(plan).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_AgentsMovesAndUnplaceable_ShowWhereEachVmGoes()
    {
        var plan = new PlanResponse(2, true, [
            new PlanEntry("db", PlanAction.Move, ["placement: host a1 → host a2", "agent: a1 → a2 — starts afresh from its image there; its disk stays on a1"], "a2", "a1"),
            new PlanEntry("ml", PlanAction.Create, [], Unplaceable: "no agent with label gpu=true (a1: no gpu, a2: no gpu)"),
            new PlanEntry("web", PlanAction.Create, ["image: tiny"], "a1"),
        ], ["vms.ml: cannot be placed: no agent with label gpu=true (a1: no gpu, a2: no gpu)"]);

        Assert.Equal("""
            Plan against generation 2:
              -> db (move) a1 → a2
                  placement: host a1 → host a2
                  agent: a1 → a2 — starts afresh from its image there; its disk stays on a1
              + ml (create) on no agent
                  cannot be placed: no agent with label gpu=true (a1: no gpu, a2: no gpu)
              + web (create) on a1
                  image: tiny
            2 to create, 0 to update in place, 0 to replace (restart), 1 to move, 0 to delete, 0 unchanged.
            problem: vms.ml: cannot be placed: no agent with label gpu=true (a1: no gpu, a2: no gpu)

            """.ReplaceLineEndings("\n"), PlanView.Render(plan).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_FleetChanges_ListedFirstAndCounted()
    {
        var plan = new PlanResponse(3, true, [
            new PlanEntry("web", PlanAction.Update, ["disk: 256MiB → 512MiB — grows online, without a restart (before its next start if it is stopped); the data is kept"]),
        ], [], ["settings.orphans: stop → keep", "images.base.format: qcow2 → raw"]);

        Assert.Equal("""
            Plan against generation 3:
              ~ settings.orphans: stop → keep
              ~ images.base.format: qcow2 → raw
              ~ web (update in place)
                  disk: 256MiB → 512MiB — grows online, without a restart (before its next start if it is stopped); the data is kept
            0 to create, 1 to update in place, 0 to replace (restart), 0 to delete, 0 unchanged; 2 changes outside the VMs.

            """.ReplaceLineEndings("\n"), PlanView.Render(plan).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Render_NoChanges_SaysSo()
    {
        var text = PlanView.Render(new PlanResponse(2, false, [new PlanEntry("web", PlanAction.Unchanged, [])], []));
        Assert.Contains("  no changes", text);
        Assert.Contains("0 to create, 0 to update in place, 0 to replace (restart), 0 to delete, 1 unchanged.", text);
    }
}
