using System.CommandLine;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>What every command gets: its parse result, the home, the output. Runs the command and maps failures to exit codes.</summary>
public sealed class CommandContext(ParseResult parse)
{
    public ParseResult Parse { get; } = parse;
    public string Home { get; } = CliGlobals.ResolveHome(parse);
    public Terminal Terminal { get; } = new(parse.GetValue(CliGlobals.Output));

    /// <summary>The remote server this command talks to (<see cref="RemoteServer"/>), or null for the home's.</summary>
    public RemoteServer? Remote => (_remote ??= new Lazy<RemoteServer?>(() => RemoteServer.Resolve(Parse.GetValue(CliGlobals.Server)))).Value;

    private Lazy<RemoteServer?>? _remote;

    /// <summary>A client for the remote server, else for the home's running server.</summary>
    /// <exception cref="NotRunningException">No server answers for the home.</exception>
    public async Task<HangarClient> ConnectAsync(CancellationToken ct) =>
        Remote is { } remote ? remote.Connect() : await HangarConnection.ConnectAsync(Home, ct);

    /// <summary>As <see cref="ConnectAsync"/>, but null when the home has no running server.</summary>
    public async Task<HangarClient?> TryConnectAsync(CancellationToken ct) =>
        Remote is { } remote ? remote.Connect() : await HangarConnection.TryConnectAsync(Home, ct);

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public static void Bind(Command command, Func<CommandContext, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, ct) => RunAsync(new CommandContext(parse), action, ct));

    private static async Task<int> RunAsync(CommandContext context, Func<CommandContext, CancellationToken, Task<int>> action, CancellationToken ct)
    {
        try
        {
            return await action(context, ct);
        }
        catch (NotRunningException e)
        {
            Terminal.Error(e.Message);
            return ExitCodes.NotRunning;
        }
        catch (ApiException e) when (e.Error.Code == ApiErrorCodes.InvalidSpec)
        {
            SpecErrors.Write(context.Terminal, e.Error.SpecErrors ?? []);
            return ExitCodes.Invalid;
        }
        catch (ApiException e) when (e.Error.Code == ApiErrorCodes.NotFound)
        {
            Terminal.Error(e.Message);
            return ExitCodes.NotFound;
        }
        catch (ApiException e)
        {
            Terminal.Error(e.Message);
            return ExitCodes.Error;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Terminal.Error("Interrupted.");
            return 130;
        }
        catch (Hangar.Secrets.Age.AgeException e)
        {
            // A key, recipient or secret file that is wrong, or none that opens a secret: the message names which.
            Terminal.Error(e.Message);
            return ExitCodes.Invalid;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or System.Net.WebSockets.WebSocketException)
        {
            Terminal.Error(e.Message);
            return ExitCodes.Error;
        }
    }
}
