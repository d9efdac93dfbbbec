using System.Reflection;
using System.Text.Json;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Protocol.Tests.Api;

/// <summary>
/// The client's compile-time JSON (ApiJson) and the server's (HangarJson.Options, compile-time too since the daemon is
/// compiled ahead of time) against the reflection-based JSON the server wrote before: the same bytes for every API
/// document, and every enum written as a word. A type or enum added to the API without its place in
/// ApiJsonContext fails here, not in a user's `hangar` (which cannot fall back to reflection).
/// </summary>
public sealed class ApiJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static VmStatus Vm(string name, VmPhase phase, HealthState health) => new(name, "tiny", 2, "128MiB", true, "host-a", phase,
        "detail", health, "tcg", 1234, ["8081:80/tcp"], "last error", 3, At, 4, 5, ["console line"], "connect refused",
        RestartCause.Unhealthy, Removed: false);

    private static FleetStatus Fleet() => new(4, 5, true,
        [Vm("web", VmPhase.Running, HealthState.Healthy), Vm("db", VmPhase.Backoff, HealthState.Unhealthy)],
        [new AgentStatus("host-a", "host-a.lan", true, "tcg", At)],
        new RolloutInfo(4, RolloutState.Running, "waiting for web", At.AddMinutes(5), ["web"]),
        [new OrphanInfo("host-a", "old", 999, OrphanAction.Kept)]);

    private static GenerationInfo Generation() => new(4, At, "more memory", "apply", GenerationState.RolledBack, "web unhealthy", 3,
        ["web"], true, "ops", new Dictionary<string, string> { ["tiny"] = "sha256:ab" });

    private static IEnumerable<object> Documents()
    {
        var plan = new[] { new PlanEntry("web", PlanAction.Update, ["memory: 96MiB → 128MiB"]), new PlanEntry("db", PlanAction.Create, []) };
        var apply = new ApplyResponse(4, 5, true, plan, ["settings.orphans: stop → keep"]);
        yield return new ApplyRequest("fleet.yaml", "vms: {}", "/srv", "why", true, 3, false, TimeSpan.FromSeconds(90.5), "ops");
        yield return new RollbackRequest(2, "back", true, TimeSpan.FromMinutes(1), "ops");
        yield return new DownRequest(true);
        yield return EmptyRequest.Instance;
        yield return apply;
        yield return new PlanResponse(3, true, plan, ["port 8081 is in use"], null);
        yield return new DiffResponse(1, 2, plan, []);
        yield return (IReadOnlyList<GenerationInfo>)[Generation()];
        yield return new GenerationDetail(Generation(), "vms: {}\n");
        yield return Fleet();
        yield return Vm("solo", VmPhase.Stopped, HealthState.Unknown);
        yield return new DiskGcResponse(["/var/lib/hangar/disks/web/disk.gen1.qcow2"], 1 << 20, ["host-b"]);
        yield return (IReadOnlyList<EventEntry>)[new EventEntry(7, At, "vm.health", "web", "healthy")];
        yield return new ApiError(ApiErrorCodes.InvalidSpec, "invalid", [new SpecError("fleet.yaml", 3, 5, "vms.web.memory", "too small")]);
        yield return new ApplyOutcome(apply, "converged", Generation(), Fleet());
        yield return new DownOutcome("notrunning");
        yield return new DownOutcome("converged", Fleet());
        yield return new ValidationOutcome(true, [], ["web"]);
        yield return new ValidationOutcome(false, [new SpecError("fleet.yaml", 1, 1, "", "bad")]);
        yield return new JoinTokenRequest(TimeSpan.FromHours(1), 3, new Dictionary<string, string> { ["zone"] = "a" });
        yield return new JoinTokenRequest();
        yield return new JoinTokenResponse("hjt_0123456789ab_" + new string('f', 64), "0123456789ab", At, 3, new Dictionary<string, string> { ["zone"] = "a" });
        yield return Agent();
        yield return new AgentLabelsRequest(new Dictionary<string, string> { ["gpu"] = "true" }, ["zone"]);
        yield return new PlanResponse(3, true, [new PlanEntry("web", PlanAction.Move, ["agent: a → b"], "b", "a"),
            new PlanEntry("big", PlanAction.Create, [], Unplaceable: "no agent with 8GiB memory free (a: 2GiB free)")], ["vms.big: cannot be placed"]);
        yield return (IReadOnlyList<AgentInfo>)[Agent(), Agent() with { Name = "b", State = AgentState.Offline, Cordoned = true, LastHeartbeat = null }];
        yield return Agent() with
        {
            Cordoned = true,
            Drain = new AgentDrainInfo(AgentDrainState.Failed, At, At.AddMinutes(3), TimeSpan.FromMinutes(5),
                [new DrainMove("web", "a", "b", DrainMoveState.MovedBack, "VM web: its health check did not pass"), new DrainMove("api", "a", "c", DrainMoveState.Moved)],
                ["db"], new Dictionary<string, string> { ["big"] = "no agent with 8GiB memory free (b: 2GiB free)" }, "VM web did not become healthy on b"),
        };
        yield return new AgentDrainRequest(TimeSpan.FromSeconds(90));
        yield return new AgentDrainRequest();
        var token = new ApiTokenInfo("0123456789ab", "ci", ApiRole.Operator, At, At.AddDays(30));
        yield return new ApiTokenRequest(ApiRole.Viewer, "grafana", TimeSpan.FromDays(7));
        yield return new ApiTokenRequest(ApiRole.Admin);
        yield return new ApiTokenResponse("hat_0123456789ab_" + new string('f', 64), token);
        yield return (IReadOnlyList<ApiTokenInfo>)[token, token with { Name = null, Role = ApiRole.Admin, ExpiresAt = null }];
        yield return new AuthInfo(ApiRole.Viewer, "0123456789ab", "grafana");
        yield return new AuthInfo(ApiRole.Admin, null, null);
    }

    private static AgentInfo Agent() => new("a", AgentState.Online, false, new Dictionary<string, string> { ["zone"] = "a" }, "host-a", "kvm", "0.9.0",
        8, 16L << 30, 2, 1L << 30, ["web", "db"], At, At);

    [Fact]
    public void EveryApiDocument_IsWrittenTheSameByTheClientAndTheServer()
    {
        foreach (var document in Documents())
        {
            var type = document is System.Collections.IEnumerable and not string
                ? document.GetType().GetInterfaces().First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
                : document.GetType();
            var info = ApiJsonContext.Default.GetTypeInfo(type);
            Assert.True(info is not null, $"{type} is missing from ApiJsonContext");
            var server = JsonSerializer.Serialize(document, type, HangarJson.Options);
            var client = JsonSerializer.Serialize(document, info);
            Assert.Equal(JsonSerializer.Serialize(document, type, ReflectionHangarJson.Options), server);
            Assert.Equal(server, client);
            // What the server writes, the client reads back to the same JSON.
            var read = JsonSerializer.Deserialize(server, info);
            Assert.Equal(server, JsonSerializer.Serialize(read, info));
        }
    }

    [Fact]
    public void EveryEnumInTheApi_IsAWord_AsTheServerWritesIt()
    {
        var enums = ReachableTypes().Where(t => t.IsEnum).ToList();
        Assert.Contains(typeof(VmPhase), enums);
        Assert.Contains(typeof(GenerationState), enums);
        foreach (var type in enums)
        {
            var info = ApiJsonContext.Default.GetTypeInfo(type)!;
            foreach (var value in Enum.GetValues(type))
            {
                var client = JsonSerializer.Serialize(value, info);
                Assert.True(client.StartsWith('"'), $"{type.Name}.{value} is written as {client}: add CamelCaseEnumConverter<{type.Name}> to ApiJsonContext");
                Assert.Equal(JsonSerializer.Serialize(value, type, ReflectionHangarJson.Options), client);
                Assert.Equal(JsonSerializer.Serialize(value, type, HangarJson.Options), client);
            }
        }
    }

    [Fact]
    public void IndentedOutput_IsTheSameDocumentIndented()
    {
        var fleet = Fleet();
        var indented = JsonSerializer.Serialize(fleet, ApiJson.Info<FleetStatus>(ApiJson.Indented));
        Assert.Contains("\n  \"generation\": 4", indented);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(fleet, HangarJson.Options)),
            System.Text.Json.Nodes.JsonNode.Parse(indented)));
    }

    [Fact]
    public void ATypeOutsideTheApi_IsRefusedByName()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ApiJson.Info<Uri>());
        Assert.Contains("Uri", e.Message);
    }

    /// <summary>Every type the API documents hold, through properties, collections and nullables.</summary>
    private static HashSet<Type> ReachableTypes()
    {
        var roots = Documents().Select(d => d.GetType());
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(roots);
        while (queue.TryDequeue(out var type))
        {
            if (!seen.Add(type)) continue;
            if (Nullable.GetUnderlyingType(type) is { } underlying) queue.Enqueue(underlying);
            if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) queue.Enqueue(argument);
            if (type.IsArray) queue.Enqueue(type.GetElementType()!);
            if (type.Namespace?.StartsWith("Hangar", StringComparison.Ordinal) == true && !type.IsEnum)
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)) queue.Enqueue(property.PropertyType);
        }
        return seen;
    }
}
