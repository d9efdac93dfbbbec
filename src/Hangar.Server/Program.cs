using System.CommandLine;
using Hangar.Server;

// hangard: the processes that do the work. `hangar server …` and `hangar agent …` exec this with the same arguments.
var root = new RootCommand("The Hangar daemon: a control plane (with a local agent), or an agent alone. Started by `hangar server`, `hangar agent` and `hangar up`.")
{
    ServerCommand.Create(),
    AgentCommand.Create(),
};
root.Options.Add(DaemonGlobals.Home);
return await root.Parse(args).InvokeAsync();
