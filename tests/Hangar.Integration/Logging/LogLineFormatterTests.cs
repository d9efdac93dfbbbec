using System.Text.Json;
using Hangar.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Hangar.Integration.Logging;

/// <summary>The daemon's log lines: JSON that parses back line by line, and journald's priority prefixes.</summary>
public sealed partial class LogLineFormatterTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 21, 49, 22, 123, TimeSpan.Zero);

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => At;
    }

    private static (ILogger Logger, StringWriter Output, IDisposable Owner) Logger(LogFormat format, bool journal, DaemonLogLevel level = DaemonLogLevel.Info)
    {
        var output = new StringWriter();
        var provider = new DaemonLoggerProvider(output, ownsWriter: false, level, new LogLineFormatter(format, journal), new FixedTime());
        var factory = LoggerFactory.Create(b => LogSettings.Configure(b, provider, level));
        return (factory.CreateLogger("Hangar.Agent.Vms.VmSupervisor"), output, factory);
    }

    private static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Json_LoggerMessageEvents_AreOneObjectPerLineWithTheirProperties()
    {
        var (logger, output, owner) = Logger(LogFormat.Json, journal: false);
        using (owner)
        {
            Started(logger, "web", 4242, TimeSpan.FromSeconds(1.5));
            Failed(logger, "db", new IOException("Disk full\nsecond line"));
            logger.LogInformation("Plain \"quoted\" line");
        }

        var lines = Lines(output);
        Assert.Equal(3, lines.Length);
        var docs = lines.Select(l => JsonDocument.Parse(l)).ToArray();
        var started = docs[0].RootElement;
        Assert.Equal(At, started.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("info", started.GetProperty("level").GetString());
        Assert.Equal("Hangar.Agent.Vms.VmSupervisor", started.GetProperty("category").GetString());
        Assert.Equal(20, started.GetProperty("eventId").GetInt32());
        Assert.Equal("Started", started.GetProperty("eventName").GetString());
        Assert.Equal("VM web started (pid 4242) in 00:00:01.5000000", started.GetProperty("message").GetString());
        Assert.Equal("VM {Vm} started (pid {Pid}) in {Elapsed}", started.GetProperty("template").GetString());
        var properties = started.GetProperty("properties");
        Assert.Equal("web", properties.GetProperty("Vm").GetString());
        Assert.Equal(4242, properties.GetProperty("Pid").GetInt32());
        Assert.Equal("00:00:01.5000000", properties.GetProperty("Elapsed").GetString());
        Assert.False(started.TryGetProperty("exception", out _));

        var failed = docs[1].RootElement;
        Assert.Equal("error", failed.GetProperty("level").GetString());
        Assert.Equal("System.IO.IOException", failed.GetProperty("exception").GetProperty("type").GetString());
        Assert.Equal("Disk full\nsecond line", failed.GetProperty("exception").GetProperty("message").GetString());
        Assert.Equal("Plain \"quoted\" line", docs[2].RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Text_UnderTheJournal_EveryLineHasItsPriorityAndNoTimestamp()
    {
        var (logger, output, owner) = Logger(LogFormat.Text, journal: true);
        using (owner)
        {
            Started(logger, "web", 1, TimeSpan.Zero);
            logger.LogWarning("Slow disk");
            Failed(logger, "db", new IOException("Disk full"));
        }

        var lines = Lines(output);
        Assert.Equal("<6>VmSupervisor: VM web started (pid 1) in 00:00:00", lines[0]);
        Assert.Equal("<4>VmSupervisor: Slow disk", lines[1]);
        Assert.Equal("<3>VmSupervisor: Could not start db", lines[2]);
        // The exception's lines are entries of their own in the journal: each keeps the event's priority.
        Assert.True(lines.Length > 3);
        Assert.All(lines[3..], line => Assert.StartsWith("<3>", line));
        Assert.Contains(lines, l => l.Contains("System.IO.IOException: Disk full"));
        Assert.DoesNotContain(lines, l => l.Contains("2026-12-04"));
    }

    [Fact]
    public void Text_NotUnderTheJournal_HasATimestampAndNoPriority()
    {
        var (logger, output, owner) = Logger(LogFormat.Text, journal: false);
        using (owner) logger.LogWarning("Slow disk");

        Assert.Equal(["2026-12-04T21:49:22.123Z WARNING VmSupervisor: Slow disk"], Lines(output));
    }

    [Theory]
    [InlineData("8:12345", "socket:[12345]", true)]
    [InlineData("8:12345", null, true)]
    [InlineData("8:12345", "socket:[999]", false)]
    [InlineData("8:12345", "/var/log/hangar.log", false)]
    [InlineData("8:12345", "pipe:[12345]", false)]
    [InlineData(null, "socket:[12345]", false)]
    [InlineData("garbage", null, false)]
    public void IsJournal_JournalStreamAgainstStderr_FollowsSdDaemon(string? variable, string? stderrLink, bool expected) =>
        Assert.Equal(expected, JournalStream.IsJournal(variable, stderrLink));

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "VM {Vm} started (pid {Pid}) in {Elapsed}")]
    private static partial void Started(ILogger logger, string vm, int pid, TimeSpan elapsed);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Could not start {Vm}")]
    private static partial void Failed(ILogger logger, string vm, Exception exception);
}
