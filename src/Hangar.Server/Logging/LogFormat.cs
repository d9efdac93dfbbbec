namespace Hangar.Server.Logging;

/// <summary>How the daemon writes its log lines (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One line of text per event; under systemd with a <c>&lt;N&gt;</c> priority prefix and no timestamp.</summary>
    Text,

    /// <summary>One JSON object per line (<see cref="LogLineFormatter"/>).</summary>
    Json,
}
