using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hangar.Client;

/// <summary>
/// <c>$HANGAR_HOME/daemon.json</c> (mode 0600): where the running <c>hangar server</c> of a home listens and the token
/// its API wants. Written atomically by the server once it listens (<c>EmbeddedServer</c>); removed when it stops.
/// </summary>
public sealed record DaemonInfo(string Url, string ApiToken, int Pid)
{
    /// <summary>The server's certificate fingerprint when it serves HTTPS (<c>hangard server --tls</c>); clients pin it.</summary>
    public string? Fingerprint { get; init; }

    public static string PathFor(string home) => Path.Combine(home, "daemon.json");

    public static DaemonInfo? TryRead(string home)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(PathFor(home)), DaemonInfoJson.Default.DaemonInfo);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, DaemonInfoJson.Default.DaemonInfo);
}

/// <summary>daemon.json's contract, generated at compile time (the client reads it without reflection).</summary>
[JsonSerializable(typeof(DaemonInfo))]
internal sealed partial class DaemonInfoJson : JsonSerializerContext;
