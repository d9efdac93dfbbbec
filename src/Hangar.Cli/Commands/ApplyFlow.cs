using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>What <c>up</c> and <c>apply</c> share: check locally, make sure a server runs, apply, follow until converged.</summary>
public static class ApplyFlow
{
    public static readonly Option<string?> Message = new("--message", "-m") { Description = "Why: recorded with the generation." };
    public static readonly Option<TimeSpan> Timeout = new("--timeout")
    {
        Description = "How long to wait for every VM to be running and healthy (e.g. 90s, 5m).",
        DefaultValueFactory = _ => TimeSpan.FromMinutes(5),
        CustomParser = r => Durations.Parse(r),
    };
    public static readonly Option<bool> NoWait = new("--no-wait") { Description = "Return once applied; do not wait for the VMs." };
    public static readonly Option<string?> Accel = new("--accel")
    {
        Description = "Accelerator when this command starts the server: kvm, tcg or auto (default: $HANGAR_ACCEL, else auto).",
    };

    public static readonly Option<long?> ExpectGeneration = new("--expect-generation")
    {
        Description = "Fail unless the current generation is this one (when someone else applied meanwhile).",
    };
    public static readonly Option<TimeSpan?> ConfirmTimeout = new("--confirm-timeout")
    {
        Description = $"How long the health gate waits for the changed VMs to be healthy (default {ApplyRequest.DefaultConfirmTimeout.TotalMinutes:0.##}m).",
        CustomParser = r => Durations.Parse(r),
    };
    public static readonly Option<bool> NoAutoRollback = new("--no-auto-rollback")
    {
        Description = "When the health gate fails, keep the new generation (marked failed) instead of switching back.",
    };

    public static void AddOptions(Command command)
    {
        command.Options.Add(ExpectGeneration);
        command.Options.Add(ConfirmTimeout);
        command.Options.Add(NoAutoRollback);
        command.Options.Add(Message);
        command.Options.Add(Timeout);
        command.Options.Add(NoWait);
        command.Options.Add(Accel);
    }

    public static async Task<int> RunAsync(CommandContext context, string file, bool startStopped, CancellationToken ct)
    {
        var terminal = context.Terminal;
        if (FleetFileArgument.Read(context, file, context.Get(Message), startStopped, out var spec) is not { } read) return ExitCodes.Invalid;
        var accel = AccelFrom(context.Get(Accel));
        using var client = context.Remote is { } remote ? remote.Connect() : await DaemonLauncher.EnsureAsync(context.Home, ["--accel", accel], terminal.Progress, ct);
        // Host keys are made once the server runs: a new recipients file lists its agents' keys.
        if (await HostKeys.EnsureAsync(context, client, spec!, file, ct))
        {
            if (FleetFileArgument.Read(context, file, context.Get(Message), startStopped) is not { } withKeys) return ExitCodes.Invalid;
            read = withKeys;
        }
        var request = read with
        {
            ExpectGeneration = context.Get(ExpectGeneration),
            AutoRollback = !context.Get(NoAutoRollback),
            ConfirmTimeout = context.Get(ConfirmTimeout),
            Author = CliGlobals.Author,
        };
        if (!await ImageUploads.EnsureAsync(context, client, request, ct)) return ExitCodes.Error;
        var response = await client.ApplyAsync(request, ct);
        if (!terminal.Json) PlanView.Write(terminal, response);
        return await FollowAsync(context, client, response, ct);
    }

    /// <summary>Follows a committed generation through its health gate and reports how it ended.</summary>
    public static async Task<int> FollowAsync(CommandContext context, Client.HangarClient client, ApplyResponse response, CancellationToken ct)
    {
        var terminal = context.Terminal;
        if (context.Get(NoWait))
        {
            if (terminal.Json) terminal.WriteJson(response);
            return ExitCodes.Ok;
        }
        var (outcome, status) = await Convergence.WaitAsync(client, terminal, context.Get(Timeout), null, ct);
        var generation = response.Changed ? (await client.GenerationAsync(response.Generation, ct)).Generation : null;
        if (terminal.Json) terminal.WriteJson(new ApplyOutcome(response, outcome.ToString().ToLowerInvariant(), generation, status));
        else StatusView.Write(terminal, status);
        if (generation is { Status: GenerationState.Failed })
        {
            Terminal.Error($"Generation {generation.Number} failed its health gate: {generation.Reason}");
            var next = status.Generation > generation.Number ? (await client.GenerationAsync(generation.Number + 1, ct)).Generation : null;
            if (next is { Source: "auto-rollback" })
                Terminal.Error($"Rolled back automatically: generation {next.Number} restores generation {next.RollbackOf}.");
            return ExitCodes.Unhealthy;
        }
        switch (outcome)
        {
            case Convergence.Outcome.TimedOut:
                Terminal.Error($"Not every VM was running and healthy within {context.Get(Timeout).TotalSeconds:0}s; see 'hangar vm list' and 'hangar logs NAME'.");
                return ExitCodes.Unhealthy;
            case Convergence.Outcome.Unhealthy:
                Terminal.Error("Some VMs failed or are unhealthy; see LAST ERROR above and 'hangar logs NAME'.");
                return ExitCodes.Unhealthy;
            default:
                return ExitCodes.Ok;
        }
    }

    /// <summary>--accel, else HANGAR_ACCEL, else auto, for the server this command may start. An unknown value is an error naming the valid ones.</summary>
    public static string AccelFrom(string? flag)
    {
        var text = flag ?? Environment.GetEnvironmentVariable("HANGAR_ACCEL") ?? "auto";
        return text.ToLowerInvariant() switch
        {
            "auto" or "" => "auto",
            "kvm" => "kvm",
            "tcg" => "tcg",
            _ => throw new InvalidOperationException($"Accelerator '{text}' is not valid; use kvm, tcg or auto."),
        };
    }
}
