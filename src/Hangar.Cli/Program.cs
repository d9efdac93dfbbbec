using System.CommandLine;
using Hangar.Cli;
using Hangar.Cli.Commands;

var root = new RootCommand("Hangar runs a fleet of QEMU virtual machines from one declarative file.")
{
    UpCommand.Create(),
    PlanCommand.Create(),
    ApplyCommand.Create(),
    RollbackCommand.Create(),
    GenerationsCommand.Create(),
    DiffCommand.Create(),
    ShowCommand.Create(),
    StatusCommand.Create(),
    ValidateCommand.Create(),
    SchemaCommand.Create(),
    VmCommand.Create(),
    ConsoleCommand.Create(),
    LogsCommand.Create(),
    EventsCommand.Create(),
    DownCommand.Create(),
    GcCommand.Create(),
    ServerCommand.Create(),
    AgentCommand.Create(),
};
root.Options.Add(CliGlobals.Home);
root.Options.Add(CliGlobals.Output);
return await root.Parse(args).InvokeAsync();
