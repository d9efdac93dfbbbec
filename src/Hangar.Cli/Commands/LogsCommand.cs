using System.CommandLine;
using Hangar.Cli.Daemon;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar logs NAME [--follow]</c>: the VM's serial console log.</summary>
public static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new output until interrupted." };
        var command = new Command("logs", "Print a VM's serial console log.") { name, follow };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            await using var stream = await client.LogsAsync(context.Get(name), context.Get(follow), ct);
            await using var stdout = Console.OpenStandardOutput();
            try
            {
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await stream.ReadAsync(buffer, ct)) > 0)
                {
                    await stdout.WriteAsync(buffer.AsMemory(0, read), ct);
                    await stdout.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                // The server aborts a log it cannot finish (the VM's agent disconnected); the body cannot say so itself,
                // and the socket error (a reset) says nothing more.
                await Console.Error.WriteLineAsync($"error: The log of VM {context.Get(name)} was cut off: the server lost the VM's agent, or stopped.");
                return ExitCodes.Error;
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
