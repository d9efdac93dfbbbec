using Hangar.Client;
using Hangar.Secrets;
using Hangar.Secrets.Age;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary>
/// Before an apply: makes the SSH host key of each VM that should have one and has none yet, in
/// <c>secrets/identities</c> beside the fleet file, encrypted to <c>secrets/recipients.txt</c> (started, when there is
/// none, with this user's key and the keys of the server's agents). The private key exists only in this process's
/// memory until it is encrypted.
/// </summary>
public static class HostKeys
{
    /// <summary>How long a just-started local server's agent may take to report its key.</summary>
    private static readonly TimeSpan AgentKeyWait = TimeSpan.FromSeconds(30);

    /// <summary>Makes the keys <paramref name="spec"/>'s VMs lack; false when none was missing (the request stands as read).</summary>
    /// <exception cref="AgeException">No recipients file can be had, or one is wrong: nothing was made then.</exception>
    public static async Task<bool> EnsureAsync(CommandContext context, HangarClient client, FleetSpec spec, string file, CancellationToken ct)
    {
        var pending = spec.Vms.Where(v => v.Identity is { IsPending: true }).Select(v => v.Name).ToList();
        if (pending.Count == 0) return false;
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var secrets = new SecretsDirectory(Path.Combine(directory, SecretSource.DirectoryName));
        if (!File.Exists(secrets.DefaultRecipientsPath))
            SecretCommand.EnsureRecipients(secrets, context.Home, await AgentRecipientsAsync(context, client, ct));
        var recipients = secrets.DefaultRecipientsFile();
        var identities = new VmIdentities(secrets);
        foreach (var vm in pending)
        {
            var publicKey = identities.Create(vm);
            Console.Error.WriteLine($"Made VM {vm}'s SSH host key {SshHostKey.Fingerprint(publicKey)}: {Relative(directory, identities.PrivateKeyPath(vm))} " +
                $"(readable by {string.Join(", ", recipients.Entries.Select(e => e.Name))}) and {Relative(directory, identities.PublicKeyPath(vm))}. Keep both with the fleet file.");
        }
        return true;
    }

    /// <summary>The keys of the server's agents; for a local server just started, waits a little for its agent.</summary>
    internal static async Task<IReadOnlyList<(string Name, AgeRecipient Recipient)>> AgentRecipientsAsync(CommandContext context, HangarClient client, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + AgentKeyWait;
        while (true)
        {
            var found = (await client.AgentsAsync(ct)).Where(a => a.Recipient is not null)
                .Select(a => ($"agent {a.Name}", AgeRecipient.Parse(a.Recipient!))).ToList();
            if (found.Count > 0 || context.Remote is not null || File.Exists(Path.Combine(context.Home, "agent", "recipient.txt")) || DateTime.UtcNow > deadline)
                return found;
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private static string Relative(string directory, string path) => Path.GetRelativePath(directory, path);
}
