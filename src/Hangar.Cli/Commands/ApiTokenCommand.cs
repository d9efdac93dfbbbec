using System.CommandLine;
using Hangar.Cli.Output;
using Hangar.Protocol.Api;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar api-token create|list|revoke</c>: API tokens with a role (admin only). The server keeps their hashes.</summary>
public static class ApiTokenCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "admin, operator or viewer (docs/api.md lists what each may call).", Required = true };
        var name = new Option<string?>("--name") { Description = "A name to recognise it by in `hangar api-token list`." };
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "How long it works: 30m, 12h, 90d (default: until revoked).", CustomParser = r => Durations.Parse(r) };
        var create = new Command("create", "Make an API token; it is shown only now.") { role, name, ttl };
        CommandContext.Bind(create, async (context, ct) =>
        {
            var parsed = context.Get(role)!.ToLowerInvariant() switch
            {
                "admin" => ApiRole.Admin,
                "operator" => ApiRole.Operator,
                "viewer" => ApiRole.Viewer,
                var other => throw new InvalidOperationException($"--role {other}: use admin, operator or viewer."),
            };
            using var client = await context.ConnectAsync(ct);
            var made = await client.CreateApiTokenAsync(new ApiTokenRequest(parsed, context.Get(name), context.Get(ttl)), ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(made);
                return ExitCodes.Ok;
            }
            Console.Out.WriteLine(made.Token);
            Console.Error.WriteLine($"API token {made.Info.Id} ({Word(made.Info.Role)}), " +
                (made.Info.ExpiresAt is { } expires ? $"expires {expires.ToLocalTime():yyyy-MM-dd HH:mm:ss}" : "does not expire") + ". It is shown only now.");
            Console.Error.WriteLine($"Use it with: hangar login {client.BaseUrl.GetLeftPart(UriPartial.Authority)} --token TOKEN" +
                (client.ServerFingerprint is { } f ? $" --fingerprint {f}" : ""));
            return ExitCodes.Ok;
        });

        var list = new Command("list", "List the API tokens (never their secrets).");
        list.Aliases.Add("ls");
        CommandContext.Bind(list, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var tokens = await client.ApiTokensAsync(ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(tokens);
            else context.Terminal.WriteTable(TableBorder.Rounded, ["ID", "NAME", "ROLE", "CREATED", "EXPIRES"], tokens.Select(t => (IReadOnlyList<TableCell>)
            [
                new(t.Id), new(t.Name ?? "-"), new(Word(t.Role)), new($"{t.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm}"),
                new(t.ExpiresAt is { } e ? $"{e.ToLocalTime():yyyy-MM-dd HH:mm}" : "never"),
            ]));
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("id") { Description = "The token's id (from `hangar api-token list`), or the token itself." };
        var revoke = new Command("revoke", "Revoke an API token: it stops working at once.") { id };
        CommandContext.Bind(revoke, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var revoked = await client.RevokeApiTokenAsync(context.Get(id), ct);
            if (context.Terminal.Json) context.Terminal.WriteJson(revoked);
            else context.Terminal.Line($"API token {revoked.Id} revoked.");
            return ExitCodes.Ok;
        });
        return new Command("api-token", "Make, list and revoke API tokens with a role (admin, operator, viewer).") { create, list, revoke };
    }

    public static string Word(ApiRole role) => role.ToString().ToLowerInvariant();
}
