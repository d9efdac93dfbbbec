using System.Text.Json;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Hangar.Protocol.Tests.Agent.Wire;

namespace Hangar.Protocol.Tests.Agent;

/// <summary>
/// The agent protocol's compile-time JSON (<see cref="AgentJsonContext"/>, what the native daemon speaks): it knows
/// every <see cref="AgentMessage"/> subtype in the assembly, writes each the way the reflection-based JSON did, and
/// writes every enum a frame holds as a word. A subtype without its <c>[JsonDerivedType]</c> line, or an enum without
/// its converter in the context, fails here rather than on a user's wire.
/// </summary>
public sealed class AgentJsonTests
{
    private static IEnumerable<Type> MessageTypes() => typeof(AgentMessage).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(AgentMessage)) && !t.IsAbstract);

    [Fact]
    public void EveryAgentMessageSubtype_IsInTheGeneratedContract()
    {
        var derived = AgentJsonContext.Default.AgentMessage.PolymorphismOptions!.DerivedTypes.Select(d => d.DerivedType).ToHashSet();
        Assert.NotEmpty(MessageTypes());
        foreach (var type in MessageTypes())
        {
            Assert.True(derived.Contains(type), $"{type.Name} has no [JsonDerivedType] line on AgentMessage: the daemon cannot send or read it");
            Assert.NotNull(AgentJsonContext.Default.GetTypeInfo(type));
        }
    }

    [Fact]
    public void EveryAgentMessageSubtype_IsWrittenAndReadLikeTheReflectionBasedJson()
    {
        var samples = Samples().ToList();
        Assert.Equal(MessageTypes().OrderBy(t => t.Name), samples.Select(s => s.GetType()).Distinct().OrderBy(t => t.Name));
        foreach (var message in samples)
        {
            var generated = JsonSerializer.Serialize(message, AgentJsonContext.Default.AgentMessage);
            Assert.Equal(JsonSerializer.Serialize(message, ReflectionHangarJson.Options), generated);
            Assert.Equal(JsonSerializer.Serialize(message, HangarJson.Options), generated);
            Assert.Equal(message, AgentChannel.Parse(System.Text.Encoding.UTF8.GetBytes(generated)), MessageComparer.Instance);
        }
    }

    [Fact]
    public void EveryEnumInAFrame_IsAWord()
    {
        foreach (var type in WireEnums())
        {
            var info = AgentJsonContext.Default.GetTypeInfo(type);
            Assert.True(info is not null, $"{type.Name} is not in AgentJsonContext");
            foreach (var value in Enum.GetValues(type))
            {
                var json = JsonSerializer.Serialize(value, info);
                Assert.True(json.StartsWith('"'), $"{type.Name}.{value} is written as {json}: add CamelCaseEnumConverter<{type.Name}> to AgentJsonContext");
                Assert.Equal(JsonSerializer.Serialize(value, type, ReflectionHangarJson.Options), json);
            }
        }
    }

    [Fact]
    public void Parse_FrameWithoutId_GetsAnId()
    {
        var message = AgentChannel.Parse(System.Text.Encoding.UTF8.GetBytes($$"""{"v":{{AgentProtocol.Version}},"type":"heartbeat"}"""));
        Assert.False(string.IsNullOrEmpty(message.Id));
    }

    private static IEnumerable<AgentMessage> Samples()
    {
        var at = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        yield return new HelloMessage("a", "host-a", "1.0", "tcg", 2, 1L << 30);
        yield return new WelcomeMessage("1.0", TimeSpan.FromSeconds(1.5));
        yield return new HeartbeatMessage();
        yield return new ErrorMessage("x1", "bad_frame", "nope");
        yield return new DesiredStateMessage(3, 4, SampleVms.All().Select(WireMapping.ToWire).ToArray(), PurgeRemoved: true);
        yield return new ObservedStateMessage(3, 4,
            [
                new ObservedVm("web", VmPhase.Backoff, "restart in 4s", HealthState.Unhealthy, "tcg", 1234, ["8081:80/tcp"], "exited", 2, at, 3, 4,
                    ["line"], new string('b', 64), "refused", RestartCause.Unhealthy, Adopted: true),
                new ObservedVm("db", VmPhase.Stopped, null, HealthState.Unknown, null, null, [], null, 0, null, 3, 4),
            ],
            [new ObservedOrphan("old", 999, OrphanAction.Kept)], new DiskGcReport(5, ["/d/a.qcow2"], 1 << 20));
        yield return new DesiredStateMessage(3, 5, [], PurgeRemoved: false, KeepOrphans: true) { More = true };
        yield return new DesiredDeltaMessage(3, 4, 5, SampleVms.All().Take(1).Select(WireMapping.ToWire).ToArray(), ["gone"], PurgeRemoved: false, KeepOrphans: true, DiskGc: 2, More: true);
        yield return new ResyncMessage(4, "gap: have 3, delta based on 4");
        yield return new ObservedDeltaMessage(3, 5,
            [new ObservedVm("web", VmPhase.Running, null, HealthState.Healthy, "tcg", 1234, ["8081:80/tcp"], null, 0, at, 3, 5)], ["db"],
            [new ObservedOrphan("old", 999, OrphanAction.Stopped)], new DiskGcReport(5, [], 0), More: true);
        yield return new StreamOpenMessage("s1", "web", StreamKind.Log, 100, true, 65536);
        yield return new StreamOpenedMessage("s1", 65536);
        yield return new StreamDataMessage("s1", [1, 2, 3]);
        yield return new StreamCreditMessage("s1", 4096);
        yield return new StreamCloseMessage("s1", StreamCloseReason.End, "done");
    }

    /// <summary>Every enum type reachable from a frame's records.</summary>
    private static HashSet<Type> WireEnums()
    {
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(MessageTypes());
        while (queue.TryDequeue(out var type))
        {
            if (!seen.Add(type)) continue;
            if (Nullable.GetUnderlyingType(type) is { } underlying) queue.Enqueue(underlying);
            if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) queue.Enqueue(argument);
            if (type.IsArray) queue.Enqueue(type.GetElementType()!);
            if (type.Namespace?.StartsWith("Hangar", StringComparison.Ordinal) == true && !type.IsEnum)
                foreach (var property in type.GetProperties()) queue.Enqueue(property.PropertyType);
        }
        return seen.Where(t => t.IsEnum).ToHashSet();
    }

    /// <summary>Records holding lists compare them by reference; two frames are equal when their JSON is.</summary>
    private sealed class MessageComparer : IEqualityComparer<AgentMessage>
    {
        public static readonly MessageComparer Instance = new();
        public bool Equals(AgentMessage? x, AgentMessage? y) =>
            JsonSerializer.Serialize(x, ReflectionHangarJson.Options) == JsonSerializer.Serialize(y, ReflectionHangarJson.Options);
        public int GetHashCode(AgentMessage obj) => 0;
    }
}
