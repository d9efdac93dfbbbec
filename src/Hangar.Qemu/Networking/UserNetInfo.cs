using System.Globalization;
using System.Text.RegularExpressions;

namespace Hangar.Qemu.Networking;

/// <summary>
/// Reads the text of the HMP command <c>info usernet</c> (there is no QMP command for it). Its rows look like
/// <code>
///   Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ
///   TCP[ESTABLISHED]   20       127.0.0.1 18081       10.0.2.15    80     0     0
///   TCP[HOST_FORWARD]  12       127.0.0.1 18081       10.0.2.15    80     0     0
/// </code>
/// The format has been stable since libslirp 4.0 (QEMU 4.1); rows that do not match are skipped.
/// </summary>
public static partial class UserNetInfo
{
    /// <exception cref="QemuException">The text is not a table of connections (say, an HMP error such as
    /// "unknown command", from a QEMU built without user-mode networking).</exception>
    public static IReadOnlyList<UserNetConnection> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("Protocol[State]", StringComparison.Ordinal))
            throw new QemuException($"QEMU answered 'info usernet' with no table of connections: {text.Trim()}");
        var rows = new List<UserNetConnection>();
        foreach (var line in text.Split('\n'))
        {
            var match = Row().Match(line);
            if (!match.Success) continue;
            rows.Add(new UserNetConnection(
                match.Groups["proto"].Value,
                match.Groups["state"].Value,
                int.Parse(match.Groups["fd"].Value, CultureInfo.InvariantCulture),
                match.Groups["src"].Value,
                int.Parse(match.Groups["sport"].Value, CultureInfo.InvariantCulture),
                match.Groups["dst"].Value,
                int.Parse(match.Groups["dport"].Value, CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    [GeneratedRegex(@"^\s*(?<proto>TCP|UDP)\[(?<state>[^\]]+)\]\s*(?<fd>-?\d+)\s+(?<src>\S+)\s+(?<sport>\d+)\s+(?<dst>\S+)\s+(?<dport>\d+)\s")]
    private static partial Regex Row();
}
