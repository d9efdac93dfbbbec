using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar agent</c>: with a subcommand (<c>list</c>, <c>show</c>, <c>cordon</c>, <c>uncordon</c>, <c>drain</c>, <c>label</c>, <c>remove</c>) the
/// client asks the server about its agents; without one it becomes the daemon's <c>hangard agent</c>, which runs an
/// agent (see <see cref="DaemonExecutable.FindCommand"/>).
/// </summary>
public static class AgentCommand
{
    public static Command Create(string[] args)
    {
        var command = new Command("agent", "Run an agent (hangard agent --server URL --join-token T), or list, show, cordon, uncordon, drain, label or remove agents.")
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
        command.Subcommands.Add(Action("uncordon", "Let the agent get new VMs again; ends its drain."));
        command.Subcommands.Add(AgentDrainCommand.Create());

        command.Subcommands.Add(Label());

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

    /// <summary><c>hangar agent label NAME k=v k2-</c>: set <c>k</c> to <c>v</c>, remove <c>k2</c>, as kubectl label does.</summary>
    private static Command Label()
    {
        var name = new Argument<string>("name") { Description = "The agent." };
        var changes = new Argument<string[]>("labels") { Description = "key=value to set a label, key- to remove one.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("label", "Set (key=value) or remove (key-) labels of an agent; placement follows on the next plan or apply.") { name, changes };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var set = new Dictionary<string, string>(StringComparer.Ordinal);
            var remove = new List<string>();
            foreach (var change in context.Get(changes))
            {
                if (change.IndexOf('=') is var at and > 0) set[change[..at]] = change[(at + 1)..];
                else if (change.Length > 1 && change.EndsWith('-') && !change.Contains('=')) remove.Add(change[..^1]);
                else
                {
                    Console.Error.WriteLine($"'{change}' is neither key=value (set a label) nor key- (remove one).");
                    return ExitCodes.Error;
                }
            }
            using var client = await HangarConnection.ConnectAsync(context.Home, ct);
            var agent = await client.SetAgentLabelsAsync(context.Get(name), new AgentLabelsRequest(set, remove), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(agent);
            else context.Terminal.Line($"Agent {agent.Name} labels: {(agent.Labels.Count == 0 ? "none" : string.Join(",", agent.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))}");
            return ExitCodes.Ok;
        });
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
