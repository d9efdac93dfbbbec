using System.Globalization;

namespace Hangar.Spec.Parsing;

/// <summary>Port forwards as fleet files write them: <c>HOST:GUEST</c>, <c>HOST:GUEST/tcp</c> or <c>HOST:GUEST/udp</c>.</summary>
internal static class ForwardSyntax
{
    public static bool TryParse(string text, out PortForward? forward, out string? error)
    {
        forward = null;
        var match = SpecPatterns.ForwardRegex.Match(text);
        if (!match.Success)
        {
            error = $"'{text}' is not a port forward; write HOST:GUEST, HOST:GUEST/tcp or HOST:GUEST/udp, like 8080:80";
            return false;
        }
        var host = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var guest = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        foreach (var (side, port) in new[] { ("host", host), ("guest", guest) })
        {
            if (port is < SpecLimits.MinPort or > SpecLimits.MaxPort)
            {
                error = $"The {side} port {port} in '{text}' is out of range; ports are {SpecLimits.MinPort} to {SpecLimits.MaxPort}";
                return false;
            }
        }
        var protocol = match.Groups[4].Success
            ? SpecKeywords.Protocol.First(p => p.Text == match.Groups[4].Value).Value
            : SpecDefaults.ForwardProtocol;
        forward = new PortForward(host, guest, protocol);
        error = null;
        return true;
    }
}
