using System.CommandLine;
using Hangar.Cli;
using Hangar.Cli.Commands;
using Hangar.Cli.Daemon;

// `hangar server …` and `hangar agent …` are the daemon's: become it before parsing anything, so that its own options
// and --help are the ones that answer.
if (DaemonExecutable.FindCommand(args) >= 0) return DaemonExecutable.Exec(args);

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
    SshCommand.Create(),
    LogsCommand.Create(),
    EventsCommand.Create(),
    DownCommand.Create(),
    GcCommand.Create(),
    ImageCommand.Create(),
    SecretCommand.Create(),
    ImportCommand.Create(),
    DaemonCommand.Create("server", "Run the Hangar control plane and a local agent in the foreground (hangard server).", args),
    AgentCommand.Create(args),
    TokenCommand.Create(),
    ApiTokenCommand.Create(),
    LoginCommand.Create(),
    LoginCommand.CreateLogout(),
};
root.Options.Add(CliGlobals.Home);
root.Options.Add(CliGlobals.Output);
root.Options.Add(CliGlobals.Server);
return await root.Parse(args).InvokeAsync();
