using System.CommandLine;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar vm exec NAME [--timeout 60s] [--stdin] -- COMMAND…</c>: runs a command in the VM's guest through its guest
/// agent (qemu-ga: no network, no SSH key needed), prints its output as it was written, and exits with its exit code.
/// </summary>
public static class VmExecCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var program = new Argument<string[]>("command") { Description = "The program to run in the guest and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<string?>("--timeout") { Description = $"How long to wait for the command (default {VmExecRequest.DefaultTimeoutSeconds}s), such as 30s or 5m." };
        var stdin = new Option<bool>("--stdin") { Description = "Pass this command's standard input to the guest command (read to its end first)." };
        var command = new Command("exec", "Run a command in a VM's guest through its guest agent; exits with the command's exit code.")
            { name, program, timeout, stdin };
        CommandContext.Bind(command, async (context, ct) =>
        {
            int? seconds = null;
            if (context.Get(timeout) is { } text)
            {
                if (!Durations.TryParse(text, out var span) || span < TimeSpan.FromSeconds(1) || span.TotalSeconds > VmExecRequest.MaxTimeoutSeconds)
                {
                    Terminal.Error($"--timeout '{text}' is not a duration from 1s to {VmExecRequest.MaxTimeoutSeconds / 60}m (such as 30s or 5m).");
                    return ExitCodes.Error;
                }
                seconds = (int)Math.Ceiling(span.TotalSeconds);
            }
            byte[]? input = null;
            if (context.Get(stdin))
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, ct);
                input = buffer.ToArray();
            }
            using var client = await context.ConnectAsync(ct);
            var result = await client.ExecAsync(context.Get(name), new VmExecRequest(context.Get(program), input, seconds), ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(result);
                return result.ExitCode;
            }
            await using (var stdout = Console.OpenStandardOutput()) await stdout.WriteAsync(result.Stdout, ct);
            await using (var stderr = Console.OpenStandardError()) await stderr.WriteAsync(result.Stderr, ct);
            return result.ExitCode;
        });
        return command;
    }
}
