using System.CommandLine;
using Hangar.Cli.Daemon;
using Hangar.Protocol.Api;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar token create</c>: a join token for <c>hangar agent --join-token</c>.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var ttl = new Option<TimeSpan?>("--ttl") { Description = "How long the token can be used: 90s, 30m, 1h (default 1h).", CustomParser = r => Durations.Parse(r) };
        var uses = new Option<int?>("--uses") { Description = "How many agents may join with it (default 1)." };
        var labels = new Option<string[]>("--labels")
        {
            Description = "Labels every agent that joins with it gets, as k=v (repeat, or separate with commas).",
            AllowMultipleArgumentsPerToken = true,
        };
        var create = new Command("create", "Make a join token: an agent exchanges it once for its own credential.") { ttl, uses, labels };
        CommandContext.Bind(create, async (context, ct) =>
        {
            using var client = await context.ConnectAsync(ct);
            var made = await client.CreateJoinTokenAsync(new JoinTokenRequest(context.Get(ttl), context.Get(uses),
                LabelArguments.Parse(context.Get(labels) ?? []) is { Count: > 0 } given ? given : null), ct);
            if (context.Terminal.Json)
            {
                context.Terminal.WriteJson(made);
                return ExitCodes.Ok;
            }
            Console.Out.WriteLine(made.Token);
            Console.Error.WriteLine($"Join token {made.Id}: {made.Uses} use(s), expires {made.ExpiresAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}" +
                (made.Labels.Count > 0 ? $", labels {LabelArguments.Text(made.Labels)}" : "") + ". It is shown only now.");
            var pin = client.ServerFingerprint is { } fingerprint ? $" --server-fingerprint {fingerprint}" : "";
            if (client.ServerFingerprint is not null) Console.Error.WriteLine($"Server certificate fingerprint: {client.ServerFingerprint}");
            Console.Error.WriteLine($"On the agent's host: hangar agent --server {client.BaseUrl.GetLeftPart(UriPartial.Authority)} --join-token {made.Token}{pin}");
            return ExitCodes.Ok;
        });
        return new Command("token", "Make join tokens for agents.") { create };
    }
}
