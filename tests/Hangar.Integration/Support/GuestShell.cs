using System.Net.WebSockets;
using System.Text;

namespace Hangar.Integration.Support;

/// <summary>Types commands into a tiny guest's shell over its serial console (through the API) and reads the answer.</summary>
public static class GuestShell
{
    /// <summary>Types <paramref name="command"/> and returns the console output up to its answer.</summary>
    public static Task<string> RunAsync(HangarClient client, string vm, string command, string until) =>
        RunAsync(client, vm, command, output => output.Contains(until, StringComparison.Ordinal));

    public static async Task<string> RunAsync(HangarClient client, string vm, string command, Func<string, bool> answered)
    {
        using var console = await client.ConsoleAsync(vm, CancellationToken.None);
        await console.SendAsync(Encoding.ASCII.GetBytes($"\n{command}\n"), WebSocketMessageType.Binary, true, CancellationToken.None);
        var seen = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        // The typed command is echoed too; commands compute their answer ("$((6*7))") so the echo never matches.
        while (!answered(seen.ToString()))
        {
            var result = await console.ReceiveAsync(buffer, timeout.Token);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        await console.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        return seen.ToString();
    }
}
