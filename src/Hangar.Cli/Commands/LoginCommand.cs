using System.CommandLine;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar login URL [--token T] [--fingerprint sha256:…]</c>: checks the token and pin against the server, then keeps
/// them for the user (<see cref="LoginFile"/>) so that later commands talk to that server. <c>hangar logout</c> forgets them.
/// </summary>
public static class LoginCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The server, e.g. https://10.0.0.1:8443." };
        var token = new Option<string?>("--token") { Description = "The API token (default: $HANGAR_TOKEN, else a line read from standard input)." };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "The server's certificate fingerprint to pin (sha256:…, printed at its start). Without it the system's certificate authorities decide." };
        var command = new Command("login", "Check an API token against a server and keep it, the server and its certificate pin for later commands.") { url, token, fingerprint };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var server = RemoteServer.ParseUrl(context.Get(url), "login");
            var secret = context.Get(token) ?? (Environment.GetEnvironmentVariable("HANGAR_TOKEN") is { Length: > 0 } env ? env : null);
            if (secret is null)
            {
                if (!Console.IsInputRedirected) await Console.Error.WriteAsync("API token: ");
                secret = (await Console.In.ReadLineAsync(ct))?.Trim();
            }
            if (string.IsNullOrEmpty(secret)) throw new InvalidOperationException("No API token: give --token, HANGAR_TOKEN, or type it.");
            var pin = RemoteServer.ParsePin(context.Get(fingerprint), "--fingerprint");
            using var client = new HangarClient(server, secret, pin);
            AuthInfo who;
            try
            {
                who = await client.AuthAsync(ct);
            }
            catch (ApiException e) when (e.Status == 401)
            {
                throw new InvalidOperationException($"{server} refused the token: {e.Message} Nothing was saved.", e);
            }
            var path = LoginFile.DefaultPath();
            new LoginFile(server.ToString(), secret, pin?.Fingerprint).Write(path);
            context.Terminal.Line($"Logged in to {server} as {ApiTokenCommand.Word(who.Role)}{(who.TokenId is { } id ? $" (token {id})" : "")}" +
                (pin is null && server.Scheme == "https" ? ", trusting the system's certificate authorities" : "") + $"; saved in {path}.");
            if (context.Terminal.Json) context.Terminal.WriteJson(who);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command CreateLogout()
    {
        var command = new Command("logout", "Forget the server, token and pin `hangar login` kept; commands use the home's server again.");
        CommandContext.Bind(command, (context, _) =>
        {
            var path = LoginFile.DefaultPath();
            var existed = File.Exists(path);
            File.Delete(path);
            context.Terminal.Line(existed ? $"Logged out; deleted {path}." : "Not logged in.");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
