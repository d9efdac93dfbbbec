using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar plan FILE</c>: what an apply would do, per VM, with each changed field as old → new, and what stands in
/// its way. Exit code 0: no changes, 2: changes, 1: error — like <c>terraform plan -detailed-exitcode</c>.
/// </summary>
public static class PlanCommand
{
    public const int NoChanges = 0, Changes = 2, Failed = 1;

    public static Command Create()
    {
        var file = FleetFileArgument.Create();
        var command = new Command("plan", "Show what applying a fleet file would change (exit 0: nothing, 2: changes, 1: error).") { file };
        CommandContext.Bind(command, async (context, ct) =>
        {
            if (FleetFileArgument.Read(context, context.Get(file), null, false) is not { } request) return Failed;
            using var client = await context.ConnectAsync(ct);
            if (!await ImageUploads.EnsureAsync(context, client, request, ct)) return Failed;
            PlanResponse plan;
            try
            {
                plan = await client.PlanAsync(request, ct);
            }
            catch (ApiException e) when (e.Error.Code == ApiErrorCodes.InvalidSpec)
            {
                SpecErrors.Write(context.Terminal, e.Error.SpecErrors ?? []);
                return Failed; // plan keeps terraform's codes: 2 means "changes", never "invalid"
            }
            if (context.Terminal.Json) context.Terminal.WriteJson(plan);
            else Console.Out.Write(PlanView.Render(plan));
            return plan.Problems.Count > 0 ? Failed : plan.HasChanges ? Changes : NoChanges;
        });
        return command;
    }
}
