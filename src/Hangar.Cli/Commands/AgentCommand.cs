using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar agent</c>: with a subcommand (<c>list</c>, <c>show</c>, <c>cordon</c>, <c>uncordon</c>, <c>remove</c>) the
/// client asks the server about its agents; without one it becomes the daemon's <c>hangard agent</c>, which runs an
/// agent (see <see cref="DaemonExecutable.FindCommand"/>).
/// </summary>
public static class AgentCommand
{
    public static Command Create(string[] args)
    {
        var command = new Command("agent", "Run an agent (hangard agent --server URL --join-token T), or list, show, cordon, uncordon or remove agents.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(_ => DaemonExecutable.Exec(args));
        var list = new Command("list", "List the agents: state, labels, capacity and allocation, VMs, version, last heartbeat.");
        list.Aliases.Add("ls");
        CommandContext.Bind(list, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var agents = await client.AgentsAsync(ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(agents);
            else AgentView.WriteTable(context.Terminal, agents);
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(list);

        var showName = new Argument<string>("name") { Description = "The agent." };
        var show = new Command("show", "Show one agent.") { showName };
        CommandContext.Bind(show, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var agent = await client.AgentAsync(context.Get(showName), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(agent);
            else AgentView.WriteDetail(context.Terminal, agent);
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(show);
        command.Subcommands.Add(Action("cordon", "Give the agent no new VMs; the VMs it has stay."));
        command.Subcommands.Add(Action("uncordon", "Let the agent get new VMs again."));

        var removeName = new Argument<string>("name") { Description = "The agent." };
        var force = new Option<bool>("--force") { Description = "Remove it even while it is online or has VMs (they are then placed elsewhere, without their disks)." };
        var remove = new Command("remove", "Forget an agent and revoke its credential (refused while it is online or has VMs, unless --force).") { removeName, force };
        remove.Aliases.Add("rm");
        CommandContext.Bind(remove, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var removed = await client.RemoveAgentAsync(context.Get(removeName), context.Get(force), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(removed);
            else context.Terminal.Line($"Agent {removed.Name} removed; its credential is revoked.");
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(remove);
        return command;
    }

    private static Command Action(string action, string description)
    {
        var name = new Argument<string>("name") { Description = "The agent." };
        var command = new Command(action, description) { name };
        CommandContext.Bind(command, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var agent = await client.AgentActionAsync(context.Get(name), action, ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(agent);
            else context.Terminal.Line($"Agent {agent.Name}: {AgentView.State(agent)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
