using System.CommandLine;
using System.Diagnostics;
using System.Net.WebSockets;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar console NAME</c>: an interactive session on the VM's serial console. Ctrl-] detaches (as in
/// <c>virsh console</c> and telnet); the VM keeps running. On a terminal the terminal is put in raw mode meanwhile.
/// </summary>
public static class ConsoleCommand
{
    /// <summary>Ctrl-] — the detach key.</summary>
    public const byte DetachKey = 0x1d;

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var command = new Command("console", "Attach to a VM's serial console (detach with Ctrl-]).") { name };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            using var socket = await client.ConsoleAsync(context.Get(name), ct);
            var tty = !Console.IsInputRedirected;
            await Console.Error.WriteLineAsync($"Connected to {context.Get(name)}'s console. Detach with Ctrl-].");
            if (tty) Stty("raw", "-echo");
            ServerClose? ended;
            try
            {
                ended = await PumpAsync(socket, Console.OpenStandardInput(), Console.OpenStandardOutput(), ct);
            }
            finally
            {
                if (tty) Stty("sane");
            }
            if (ended is null)
            {
                await Console.Error.WriteLineAsync("\r\nDetached.");
                return ExitCodes.Ok;
            }
            // The server ended the session: the VM's console closed, or its agent went away. Say why.
            await Console.Error.WriteLineAsync($"\r\n{(ended.Normal ? "" : "error: ")}{(ended.Reason is { Length: > 0 } reason ? reason : "The server closed the console.")}");
            return ended.Normal ? ExitCodes.Ok : ExitCodes.Error;
        });
        return command;
    }

    /// <summary>How the server ended a console session: <see cref="Normal"/> when the session simply ended (the VM's
    /// console closed), not when the VM's agent went away or the relay failed.</summary>
    public sealed record ServerClose(bool Normal, string? Reason);

    /// <summary>
    /// Copies input to the console until the detach key or end of input, and console output to <paramref name="output"/>.
    /// Returns null when this side ended the session, or how the server ended it.
    /// </summary>
    public static async Task<ServerClose?> PumpAsync(WebSocket socket, Stream input, Stream output, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fromVm = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), cts.Token);
                if (result.MessageType == WebSocketMessageType.Close) return;
                await output.WriteAsync(buffer.AsMemory(0, result.Count), cts.Token);
                await output.FlushAsync(cts.Token);
            }
        }, cts.Token);
        var toVm = Task.Run(async () =>
        {
            var buffer = new byte[1024];
            int read;
            while ((read = await input.ReadAsync(buffer, cts.Token)) > 0)
            {
                var detach = Array.IndexOf(buffer, DetachKey, 0, read);
                var count = detach >= 0 ? detach : read;
                if (count > 0) await socket.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, true, cts.Token);
                if (detach >= 0) return;
            }
        }, cts.Token);
        var first = await Task.WhenAny(fromVm, toVm);
        ServerClose? ended = first != fromVm ? null
            : socket.CloseStatus is { } status ? new ServerClose(status == WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription)
            : first.IsFaulted ? new ServerClose(false, "The connection to the server was lost.")
            : null;
        await cts.CancelAsync();
        if (socket.State == WebSocketState.Open)
        {
            try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "detached", CancellationToken.None); }
            catch (WebSocketException) { }
        }
        return ended;
    }

    private static void Stty(params string[] args)
    {
        var psi = new ProcessStartInfo("stty") { UseShellExecute = false };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi);
        process?.WaitForExit();
    }
}
