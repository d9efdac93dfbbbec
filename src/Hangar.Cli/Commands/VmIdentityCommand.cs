using System.CommandLine;
using Hangar.Cli.Output;
using Hangar.Client;
using Hangar.Secrets;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar vm identity NAME</c>: a VM's SSH host key (its <c>identity</c>). The running generation's key from the
/// server, else the one in <c>secrets/identities</c> beside the fleet file; <c>--create</c> makes that one before the
/// VM was ever applied, so that a secret can name the VM as a recipient and be readable at its first boot.
/// </summary>
public static class VmIdentityCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The VM." };
        var knownHosts = new Option<bool>("--known-hosts") { Description = "Print known_hosts lines (for hangar ssh's alias, and for 127.0.0.1 and the VM's SSH port)." };
        var create = new Option<bool>("--create") { Description = "Make the key in secrets/identities now when the VM has none yet (hangar apply would make it)." };
        var dir = new Option<string>("--dir")
        {
            Description = "The secrets directory (default: secrets, beside the fleet file in the current directory).",
            DefaultValueFactory = _ => "secrets",
        };
        var command = new Command("identity", "Print a VM's SSH host key: a recipient line for secrets, or known_hosts lines.") { name, knownHosts, create, dir };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var vm = context.Get(name);
            var identities = new VmIdentities(new SecretsDirectory(context.Get(dir) ?? "secrets"));
            using var client = await context.TryConnectAsync(ct);
            var (hostKey, port) = client is null ? (null, null) : await FromServerAsync(client, vm, ct);
            var local = identities.PublicKey(vm);
            if (hostKey is not null && local is not null && local != hostKey)
                Console.Error.WriteLine($"Note: {identities.PublicKeyPath(vm)} holds another key ({SshHostKey.Fingerprint(local)}); the VM runs with this one until the next apply.");
            hostKey ??= local;
            if (hostKey is null && context.Get(create))
            {
                SecretCommand.EnsureRecipients(new SecretsDirectory(context.Get(dir) ?? "secrets"), context.Home, client is null ? null : await HostKeys.AgentRecipientsAsync(context, client, ct));
                hostKey = identities.Create(vm);
                Console.Error.WriteLine($"Made VM {vm}'s SSH host key: {identities.PrivateKeyPath(vm)} and {identities.PublicKeyPath(vm)}. Keep both with the fleet file.");
            }
            if (hostKey is null)
            {
                Terminal.Error($"VM {vm} has no SSH host key yet: hangar apply makes one for a VM with identity (the default for a cloud-init guest), " +
                    $"or make it now with: hangar vm identity {vm} --create");
                return ExitCodes.Error;
            }
            Console.Error.WriteLine($"{vm}: {SshHostKey.Fingerprint(hostKey)}");
            if (context.Get(knownHosts))
            {
                Console.Out.WriteLine(SshCommand.KnownHostsLine(vm, hostKey));
                if (port is { } p) Console.Out.WriteLine($"[127.0.0.1]:{p} {hostKey}");
            }
            else Console.Out.WriteLine($"{hostKey} {vm}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The key the VM runs with and its SSH port; nulls when the server has no such VM or it has no key.</summary>
    private static async Task<(string? HostKey, int? Port)> FromServerAsync(HangarClient client, string vm, CancellationToken ct)
    {
        try
        {
            var status = await client.GetVmAsync(vm, ct);
            return (status.HostKey, status.Ssh?.Port);
        }
        catch (ApiException e) when (e.Status == 404)
        {
            return (null, null);
        }
    }
}
