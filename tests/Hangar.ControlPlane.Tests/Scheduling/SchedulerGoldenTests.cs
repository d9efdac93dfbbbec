using Hangar.ControlPlane.Scheduling;
using Hangar.Spec;

namespace Hangar.ControlPlane.Tests.Scheduling;

/// <summary>
/// The scheduler's decisions as a table: agents (name, CPUs, memory, labels, state), a fleet file, where VMs ran before,
/// and the expected placement of every VM (<c>web → a1</c>) or why it has none (<c>web ! reason</c>, or
/// <c>web … reason</c> for one that waits for an agent). To add a case, add a row.
/// </summary>
public sealed class SchedulerGoldenTests
{
    /// <summary>One row: <paramref name="agents"/> as <c>name cpus memory [label=value…] [cordoned] [offline]</c>.</summary>
    public sealed record Case(string Name, string[] Agents, string Fleet, string[] Previous, string[] Expected)
    {
        public override string ToString() => Name;
    }

    private const string Tiny = "image: tiny";

    public static TheoryData<Case> Cases() => new(
        new Case("one agent takes every VM",
            ["local 2 8GiB"],
            $"web: {{ {Tiny} }}\ndb: {{ {Tiny} }}\napi: {{ {Tiny} }}", [],
            ["api → local", "db → local", "web → local"]),
        new Case("spread: least allocated first, ties by name",
            ["a1 4 4GiB", "a2 4 4GiB", "a3 4 4GiB"],
            $"v1: {{ {Tiny} }}\nv2: {{ {Tiny} }}\nv3: {{ {Tiny} }}\nv4: {{ {Tiny} }}", [],
            ["v1 → a1", "v2 → a2", "v3 → a3", "v4 → a1"]),
        new Case("larger VMs are placed first, so they find room",
            ["a1 4 4GiB", "a2 4 2GiB"],
            $"small: {{ {Tiny}, memory: 2GiB }}\nbig: {{ {Tiny}, memory: 3GiB }}", [],
            ["big → a1", "small → a2"]),
        new Case("what is already placed counts",
            ["a1 4 4GiB", "a2 4 4GiB"],
            $"old: {{ {Tiny}, memory: 3GiB }}\nnew: {{ {Tiny}, memory: 2GiB }}", ["old → a1"],
            ["new → a2", "old → a1"]),
        new Case("not enough memory anywhere, per agent",
            ["web-1 4 4GiB", "web-2 4 16GiB cordoned", "web-3 4 16GiB offline"],
            $"fill: {{ {Tiny}, memory: 2GiB, placement: {{ host: web-1 }} }}\nbig: {{ {Tiny}, memory: 8GiB }}", [],
            ["big ! no agent with 8GiB memory free (web-1: 2GiB free, web-2: cordoned, web-3: offline)", "fill → web-1"]),
        new Case("label selectors: every label must match",
            ["a1 4 4GiB gpu=true", "a2 4 4GiB gpu=true zone=b", "a3 4 4GiB zone=b"],
            $"ml: {{ {Tiny}, placement: {{ labels: {{ gpu: true, zone: b }} }} }}", [],
            ["ml → a2"]),
        new Case("no agent with the label",
            ["a1 4 4GiB gpu=false", "a2 4 4GiB"],
            $"ml: {{ {Tiny}, placement: {{ labels: {{ gpu: true }} }} }}", [],
            ["ml ! no agent with label gpu=true (a1: gpu=false, a2: no gpu)"]),
        new Case("host pin wins over spread",
            ["a1 4 4GiB", "a2 4 4GiB"],
            $"v1: {{ {Tiny}, placement: {{ host: a2 }} }}\nv2: {{ {Tiny}, placement: {{ host: a2 }} }}", [],
            ["v1 → a2", "v2 → a2"]),
        new Case("host not known",
            ["a1 4 4GiB"],
            $"web: {{ {Tiny}, placement: {{ host: h3 }} }}", [],
            ["web ! host h3 is not known (see hangar agent list)"]),
        new Case("host cordoned",
            ["a1 4 4GiB", "h2 4 4GiB cordoned"],
            $"web: {{ {Tiny}, placement: {{ host: h2 }} }}", [],
            ["web ! host h2 is cordoned"]),
        new Case("pinned host lacks memory",
            ["a1 4 1GiB"],
            $"web: {{ {Tiny}, memory: 2GiB, placement: {{ host: a1 }} }}", [],
            ["web ! host a1 has 1GiB memory free, the VM needs 2GiB"]),
        new Case("two VMs on one host port land on different agents",
            ["a1 4 4GiB", "a2 4 4GiB"],
            $"w1: {{ {Tiny}, forwards: [\"8080:80\"] }}\nw2: {{ {Tiny}, forwards: [\"8080:80\"] }}\nw3: {{ {Tiny} }}", [],
            ["w1 → a1", "w2 → a2", "w3 → a1"]),
        new Case("a host port taken on the only agent",
            ["local 2 8GiB"],
            $"w1: {{ {Tiny}, forwards: [\"8080:80\"] }}\nw2: {{ {Tiny}, forwards: [\"8080:80\"] }}", [],
            ["w1 → local", "w2 ! no agent with host port 8080/tcp free (local: 8080/tcp taken by w1)"]),
        new Case("a VM stays on its agent, even offline or cordoned",
            ["a1 4 4GiB offline", "a2 4 4GiB cordoned", "a3 4 4GiB"],
            $"v1: {{ {Tiny} }}\nv2: {{ {Tiny} }}\nv3: {{ {Tiny} }}", ["v1 → a1", "v2 → a2", "gone → a3"],
            ["v1 → a1", "v2 → a2", "v3 → a3"]),
        new Case("a VM whose agent was removed is placed again",
            ["a1 4 4GiB"],
            $"v1: {{ {Tiny} }}", ["v1 → removed"],
            ["v1 → a1"]),
        new Case("a changed pin moves the VM",
            ["a1 4 4GiB", "a2 4 4GiB"],
            $"v1: {{ {Tiny}, placement: {{ host: a2 }} }}", ["v1 → a1"],
            ["v1 → a2"]),
        new Case("a selector its agent no longer matches moves the VM",
            ["a1 4 4GiB zone=a", "a2 4 4GiB zone=b"],
            $"v1: {{ {Tiny}, placement: {{ labels: {{ zone: b }} }} }}", ["v1 → a1"],
            ["v1 → a2"]),
        new Case("a VM that must move but has nowhere to go stays, with why",
            ["a1 4 4GiB zone=a"],
            $"v1: {{ {Tiny}, placement: {{ labels: {{ zone: b }} }} }}", ["v1 → a1"],
            ["v1 → a1 ! cannot move from a1, whose placement no longer admits it: no agent with label zone=b (a1: zone=a)"]),
        new Case("no agent online at all: VMs wait",
            ["a1 4 4GiB offline"],
            $"v1: {{ {Tiny} }}", [],
            ["v1 … no agent is online and uncordoned (a1: offline)"]),
        new Case("no agent joined yet: VMs wait",
            [],
            $"v1: {{ {Tiny} }}", [],
            ["v1 … no agent has joined yet"]),
        new Case("capacity not reported: memory is not checked",
            ["old 0 0"],
            $"v1: {{ {Tiny}, memory: 64GiB }}", [],
            ["v1 → old"]),
        new Case("vCPUs spread VMs but are time-shared, never a refusal",
            ["a1 2 8GiB", "a2 8 8GiB"],
            $"v1: {{ {Tiny}, vcpu: 4 }}\nv2: {{ {Tiny}, vcpu: 4 }}", [],
            ["v1 → a1", "v2 → a2"]));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Place_Case_DecidesAsTheTableSays(Case row)
    {
        var parsed = FleetParser.Parse("vms:\n" + string.Concat(row.Fleet.Split('\n').Select(l => $"  {l}\n")), "fleet.yaml", "/");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        var previous = row.Previous.Select(p => p.Split(" → ")).ToDictionary(p => p[0], p => p[1]);

        var decision = Scheduler.Place(parsed.Spec!, previous, row.Agents.Select(Agent).ToArray());

        Assert.Equal(row.Expected, parsed.Spec!.Vms.Select(vm => Describe(vm.Name, decision)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Place_SameInputsInAnotherOrder_SameDecision()
    {
        var spec = FleetParser.Parse("vms:\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"  v{i}: {{ image: tiny, memory: {128 * (1 + i % 4)}MiB }}\n")), "f.yaml", "/").Spec!;
        var agents = new[] { "a1 4 4GiB", "a2 8 8GiB", "a3 2 2GiB zone=b", "a4 4 4GiB" }.Select(Agent).ToArray();

        var forward = Scheduler.Place(spec, new Dictionary<string, string>(), agents);
        var backward = Scheduler.Place(spec, new Dictionary<string, string>(), agents.Reverse().ToArray());

        Assert.Equal(forward.Placement.OrderBy(p => p.Key), backward.Placement.OrderBy(p => p.Key));
        Assert.Equal(4, forward.Placement.Values.Distinct().Count());
    }

    private static string Describe(string vm, PlacementDecision decision)
    {
        var placed = decision.Placement.TryGetValue(vm, out var agent) ? $"{vm} → {agent}" : vm;
        return decision.Unplaced.TryGetValue(vm, out var why) ? $"{placed} {(why.Waits ? "…" : "!")} {why.Reason}" : placed;
    }

    private static SchedulerAgent Agent(string text)
    {
        var words = text.Split(' ');
        var memory = words[2] == "0" ? 0 : ByteSize.TryParse(words[2], out var size, out _) ? size.Bytes : throw new ArgumentException(text);
        var labels = words.Skip(3).Where(w => w.Contains('=')).Select(w => w.Split('=')).ToDictionary(w => w[0], w => w[1]);
        return new SchedulerAgent(words[0], !words.Contains("offline"), words.Contains("cordoned"), labels, int.Parse(words[1]), memory);
    }
}
