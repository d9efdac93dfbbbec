using Hangar.Server.Configuration;
using Hangar.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Hangar.Integration.Logging;

/// <summary>--log-level's seven names, their .NET levels and journald priorities, and what each lets through.</summary>
public sealed partial class DaemonLogLevelsTests
{
    [Theory]
    [InlineData("trace", DaemonLogLevel.Trace)]
    [InlineData("debug", DaemonLogLevel.Debug)]
    [InlineData("info", DaemonLogLevel.Info)]
    [InlineData("NOTICE", DaemonLogLevel.Notice)]
    [InlineData("warning", DaemonLogLevel.Warning)]
    [InlineData(" error ", DaemonLogLevel.Error)]
    [InlineData("critical", DaemonLogLevel.Critical)]
    public void Parse_EachName_IsItsLevel(string text, DaemonLogLevel expected) => Assert.Equal(expected, DaemonLogLevels.Parse(text));

    [Theory]
    [InlineData("verbose")]
    [InlineData("warn")]
    [InlineData("")]
    public void Parse_UnknownName_NamesTheFlagAndEveryAcceptedValue(string text)
    {
        var e = Assert.Throws<InvalidOperationException>(() => DaemonLogLevels.Parse(text));

        Assert.Equal($"--log-level: '{text}' is not a log level; use trace, debug, info, notice, warning, error or critical.", e.Message);
    }

    [Fact]
    public async Task ServerSettings_BadLevelInTheEnvironment_NamesTheVariable()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerSettings.ResolveAsync(new Dictionary<string, string>(), null, name => name == "HANGAR_LOG_LEVEL" ? "loud" : null, CancellationToken.None));

        Assert.StartsWith("HANGAR_LOG_LEVEL: 'loud' is not a log level; use trace,", e.Message);
    }

    [Fact]
    public async Task ServerSettings_LevelAndFormatFlags_AreTheLogSettings()
    {
        var settings = await ServerSettings.ResolveAsync(new Dictionary<string, string> { ["log-level"] = "notice", ["log-format"] = "json" }, null, _ => null, CancellationToken.None);
        var none = await ServerSettings.ResolveAsync(new Dictionary<string, string>(), null, _ => null, CancellationToken.None);

        Assert.Equal(new LogSettings(DaemonLogLevel.Notice, LogFormat.Json), settings.Logging);
        Assert.Equal(LogSettings.Default, none.Logging);
        Assert.Equal("--log-format: 'xml' is not a log format; use text or json.",
            Assert.Throws<InvalidOperationException>(() => LogSettings.ParseFormat("xml")).Message);
    }

    [Theory]
    [InlineData(LogLevel.Trace, null, 7)]
    [InlineData(LogLevel.Debug, null, 7)]
    [InlineData(LogLevel.Information, null, 6)]
    [InlineData(LogLevel.Information, "Notice", 5)]
    [InlineData(LogLevel.Warning, "Notice", 4)]
    [InlineData(LogLevel.Error, null, 3)]
    [InlineData(LogLevel.Critical, null, 2)]
    public void SyslogPriority_OfEachDotNetLevel_IsSyslogs(LogLevel level, string? eventName, int priority) =>
        Assert.Equal(priority, DaemonLogLevels.SyslogPriority(DaemonLogLevels.Of(level, new EventId(1, eventName))));

    [Theory]
    [InlineData(DaemonLogLevel.Debug)]
    [InlineData(DaemonLogLevel.Info)]
    [InlineData(DaemonLogLevel.Notice)]
    public void Provider_AtALevel_WritesThatLevelAndAbove(DaemonLogLevel level)
    {
        var output = new StringWriter();
        using var provider = new DaemonLoggerProvider(output, ownsWriter: false, level, new LogLineFormatter(LogFormat.Text, journal: false));
        using var factory = LoggerFactory.Create(b => LogSettings.Configure(b, provider, level));
        var logger = factory.CreateLogger("Hangar.Tests.Levels");

        logger.LogDebug("debug line");
        Routine(logger, "routine");
        Notable(logger, "notable");
        logger.LogWarning("warning line");

        var text = output.ToString();
        Assert.Contains("WARNING Levels: warning line", text);
        Assert.Contains("NOTICE Levels: notable event", text);
        Assert.Equal(level <= DaemonLogLevel.Info, text.Contains("INFO Levels: routine event"));
        Assert.Equal(level <= DaemonLogLevel.Debug, text.Contains("DEBUG Levels: debug line"));
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{What} event")]
    private static partial void Routine(ILogger logger, string what);

    [LoggerMessage(EventId = 11, EventName = DaemonLogLevels.NoticeEventName, Level = LogLevel.Information, Message = "{What} event")]
    private static partial void Notable(ILogger logger, string what);
}
