using System.Text.Json;

namespace Hangar.Client;

/// <summary>
/// <c>$HANGAR_HOME/daemon.json</c> (mode 0600): where the running <c>hangar server</c> of a home listens and the token
/// its API wants. Written atomically by the server once it listens (<c>EmbeddedServer</c>); removed when it stops.
/// </summary>
public sealed record DaemonInfo(string Url, string ApiToken, int Pid)
{
    public static string PathFor(string home) => Path.Combine(home, "daemon.json");

    public static DaemonInfo? TryRead(string home)
    {
        try
        {
            return JsonSerializer.Deserialize<DaemonInfo>(File.ReadAllText(PathFor(home)));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this);
}
