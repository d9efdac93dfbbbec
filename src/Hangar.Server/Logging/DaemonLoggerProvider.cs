using Microsoft.Extensions.Logging;

namespace Hangar.Server.Logging;

/// <summary>
/// The daemon's one log provider: every event at or above the level of <c>--log-level</c> becomes one line
/// (<see cref="LogLineFormatter"/>) written to one writer under a lock, so lines of the control plane and the agent
/// never interleave. The writer is standard error in the foreground (the journal under systemd) or
/// <c>hangar.log</c> (mode 0600) for a detached server. Scopes are not written.
/// </summary>
public sealed class DaemonLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly Lock _gate = new();
    private readonly DaemonLogLevel _minimum;
    private readonly LogLineFormatter _formatter;
    private readonly TimeProvider _time;

    /// <param name="ownsWriter">Whether disposing the provider disposes <paramref name="writer"/> (a file; not stderr).</param>
    public DaemonLoggerProvider(TextWriter writer, bool ownsWriter, DaemonLogLevel minimum, LogLineFormatter formatter, TimeProvider? time = null)
    {
        _writer = writer;
        _ownsWriter = ownsWriter;
        _minimum = minimum;
        _formatter = formatter;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A provider appending to the file at <paramref name="path"/> (created 0600); never the journal.</summary>
    public static DaemonLoggerProvider ToFile(string path, DaemonLogLevel minimum, LogFormat format) =>
        new(new StreamWriter(PrivateFiles.OpenAppend(path)) { AutoFlush = true }, ownsWriter: true, minimum, new LogLineFormatter(format, journal: false));

    /// <summary>A provider writing to standard error, with journald's priorities when stderr is the journal.</summary>
    public static DaemonLoggerProvider ToStandardError(DaemonLogLevel minimum, LogFormat format) =>
        new(Console.Error, ownsWriter: false, minimum, new LogLineFormatter(format, format == LogFormat.Text && JournalStream.StandardErrorIsJournal()));

    /// <summary>The least .NET level this provider writes: give it to <c>SetMinimumLevel</c>.</summary>
    public LogLevel MinimumLevel => DaemonLogLevels.Minimum(_minimum);

    public ILogger CreateLogger(string categoryName) => new DaemonLogger(this, categoryName);

    public void Dispose()
    {
        if (!_ownsWriter) return;
        lock (_gate) _writer.Dispose();
    }

    private bool Passes(LogLevel level, EventId eventId) =>
        level != LogLevel.None && DaemonLogLevels.Of(level, eventId) >= _minimum;

    private void Write(string line)
    {
        lock (_gate)
        {
            _writer.Write(line);
            _writer.Write('\n');
            _writer.Flush();
        }
    }

    private sealed class DaemonLogger(DaemonLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // A notice is an information event: which information events pass is decided per event, by its id.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!provider.Passes(logLevel, eventId)) return;
            var line = provider._formatter.Line(provider._time.GetUtcNow(), DaemonLogLevels.Of(logLevel, eventId), category, eventId,
                formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>>, exception);
            provider.Write(line);
        }
    }
}
