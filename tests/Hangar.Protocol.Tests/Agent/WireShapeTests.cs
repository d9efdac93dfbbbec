using System.Runtime.CompilerServices;
using System.Text.Json;
using Hangar.Protocol.Agent;

namespace Hangar.Protocol.Tests.Agent;

/// <summary>
/// Pins the agent protocol's wire shape to its version. The shape of every message (<see cref="WireShape"/>) is
/// compared with <c>Agent/Golden/agent-protocol.txt</c>, whose first line names the protocol version it describes.
/// A change to the shape fails here until the golden is rewritten (HANGAR_UPDATE_GOLDEN=1), and a rewritten golden
/// fails until its version is <see cref="AgentProtocol.Version"/> again, so that the version is bumped when the shape
/// changes (or the change is shown to be one older peers read: a new optional field, see docs/api.md "Frames").
/// </summary>
public sealed class WireShapeTests
{
    private const string VersionLinePrefix = "agent protocol version ";

    [Fact]
    public void AgentMessages_ShapeEqualsGoldenOfThisVersion()
    {
        var path = GoldenPath();
        var actual = WireShape.Describe(typeof(AgentMessage), HangarJson.Options);
        // The generated contract the daemon uses describes the same shape as the reflection-based one it replaced.
        Assert.Equal(WireShape.Describe(typeof(AgentMessage), ReflectionHangarJson.Options), actual);
        if (Environment.GetEnvironmentVariable("HANGAR_UPDATE_GOLDEN") == "1")
        {
            // The version line is kept: bumping it is a decision, not a side effect of rewriting the golden.
            var keptVersion = File.Exists(path) ? File.ReadLines(path).First() : VersionLinePrefix + AgentProtocol.Version;
            File.WriteAllText(path, keptVersion + "\n" + actual);
        }
        var golden = File.ReadAllText(path).ReplaceLineEndings("\n");
        var body = golden[(golden.IndexOf('\n') + 1)..];
        Assert.True(body == actual,
            $"The agent protocol's wire shape differs from {path}. If the change is meant, bump AgentProtocol.Version " +
            "(or check that older peers read it), rerun with HANGAR_UPDATE_GOLDEN=1, set the golden's first line to the " +
            $"new version and review the diff. Shape now:\n{actual}");
    }

    [Fact]
    public void Golden_NamesTheVersionInTheCode()
    {
        var firstLine = File.ReadLines(GoldenPath()).First();
        Assert.StartsWith(VersionLinePrefix, firstLine);
        Assert.Equal(AgentProtocol.Version, int.Parse(firstLine[VersionLinePrefix.Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Describe_SpecTypeInAMessage_ChangesTheShape()
    {
        // What the golden guards against: a message that embeds a record whose fields change shows a different shape.
        var before = WireShape.Describe(typeof(Carrier<Before>), ReflectionHangarJson.Options);
        var after = WireShape.Describe(typeof(Carrier<After>), ReflectionHangarJson.Options);
        Assert.NotEqual(before, after);
        Assert.Contains("limit: int64 (optional)", after);
    }

    [Fact]
    public void Describe_TypeRenamedWithSameFields_KeepsTheShape()
    {
        Assert.Equal(WireShape.Describe(typeof(Carrier<Before>), ReflectionHangarJson.Options),
            WireShape.Describe(typeof(Carrier<BeforeRenamed>), ReflectionHangarJson.Options));
    }

    [Fact]
    public void Describe_DurationField_ShowsItsRepresentation()
    {
        var shape = WireShape.Describe(typeof(WelcomeMessage), HangarJson.Options);
        Assert.Contains("heartbeatInterval: duration like 1500 (required)", shape);
    }

    private sealed record Carrier<T>(T Item, IReadOnlyList<T>? Items);
    private sealed record Before(string Name, int? Port);
    private sealed record BeforeRenamed(string Name, int? Port);
    private sealed record After(string Name, int? Port, long Limit = 0);

    private static string GoldenPath([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Golden", "agent-protocol.txt");
}
