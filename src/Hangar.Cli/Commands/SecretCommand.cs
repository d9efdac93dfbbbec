using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Hangar.Secrets;
using Hangar.Secrets.Age;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar secret set|edit|rekey|who|list</c>: age-encrypted secrets beside the fleet file (<c>secrets/NAME.age</c>),
/// agenix-style. Everything happens on this machine; the plaintext goes to no server, no disk, no log.
/// </summary>
public static class SecretCommand
{
    private static readonly Option<string> Dir = new("--dir")
    {
        Description = "The secrets directory (default: secrets, beside the fleet file in the current directory).",
        DefaultValueFactory = _ => "secrets",
    };

    private static readonly Option<string[]> Identity = new("--identity", "-i")
    {
        Description = "An age identity file or OpenSSH private key to open secrets with (repeat; default: HANGAR_IDENTITY, ~/.config/hangar/identity.txt, ~/.ssh/id_ed25519).",
    };

    public static Command Create() => new("secret", "Keep secrets encrypted beside the fleet file (age files, agenix-compatible).")
    {
        SetCommand(), EditCommand(), RekeyCommand(), WhoCommand(), ListCommand(),
    };

    private static Command SetCommand()
    {
        var name = new Argument<string>("name") { Description = "The secret's name (secrets/NAME.age)." };
        var fromFile = new Option<string?>("--from-file") { Description = "Read the value from this file (default: standard input; typed hidden on a terminal)." };
        var command = new Command("set", "Encrypt a value as secret NAME to its recipients, replacing it.") { name, fromFile, Dir };
        CommandContext.Bind(command, (context, ct) =>
        {
            var secrets = new SecretsDirectory(context.Get(Dir) ?? "secrets");
            var secret = context.Get(name);
            SecretsDirectory.CheckName(secret);
            var value = context.Get(fromFile) is { } file ? File.ReadAllBytes(file) : ReadValue(secret);
            try
            {
                EnsureRecipients(secrets, context.Home);
                var recipients = secrets.Write(secret, value);
                Console.Error.WriteLine($"Secret {secret} written to {secrets.FileOf(secret)}, readable by {Names(recipients)}.");
                return Task.FromResult(ExitCodes.Ok);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(value);
            }
        });
        return command;
    }

    private static Command EditCommand()
    {
        var name = new Argument<string>("name") { Description = "The secret's name (secrets/NAME.age); a new one starts empty." };
        var command = new Command("edit", "Edit secret NAME in $VISUAL/$EDITOR, on a private tmpfs removed afterwards.") { name, Dir, Identity };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var secrets = new SecretsDirectory(context.Get(Dir) ?? "secrets");
            var secret = context.Get(name);
            var exists = File.Exists(secrets.FileOf(secret));
            var before = exists ? secrets.Read(secret, UserIdentities.Load(context.Get(Identity) ?? [])) : [];
            using var tmpfs = PrivateTmpfs.Create();
            var file = Path.Combine(tmpfs.Path, secret);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            await using (var stream = new FileStream(file, options)) await stream.WriteAsync(before, ct);
            var editor = Environment.GetEnvironmentVariable("VISUAL") is { Length: > 0 } visual ? visual
                : Environment.GetEnvironmentVariable("EDITOR") is { Length: > 0 } e ? e : "vi";
            // As git runs $EDITOR: through the shell (it may carry arguments), with the file as "$1", never pasted into the command.
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var arg in new[] { "-c", editor + " \"$1\"", "sh", file }) start.ArgumentList.Add(arg);
            using (var process = Process.Start(start) ?? throw new IOException($"the editor '{editor}' did not start"))
            {
                await process.WaitForExitAsync(ct);
                if (process.ExitCode != 0)
                {
                    Output.Terminal.Error($"the editor '{editor}' exited with {process.ExitCode}; secret {secret} is unchanged");
                    return ExitCodes.Error;
                }
            }
            var after = await File.ReadAllBytesAsync(file, ct);
            try
            {
                if (exists && after.AsSpan().SequenceEqual(before))
                {
                    Console.Error.WriteLine($"Secret {secret} is unchanged.");
                    return ExitCodes.Ok;
                }
                EnsureRecipients(secrets, context.Home);
                var recipients = secrets.Write(secret, after);
                Console.Error.WriteLine($"Secret {secret} written to {secrets.FileOf(secret)}, readable by {Names(recipients)}.");
                return ExitCodes.Ok;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(before);
                CryptographicOperations.ZeroMemory(after);
            }
        });
        return command;
    }

    private static Command RekeyCommand()
    {
        var command = new Command("rekey", "Encrypt every secret again to its recipients as they are listed now (after adding or removing one).") { Dir, Identity };
        CommandContext.Bind(command, (context, ct) =>
        {
            var secrets = new SecretsDirectory(context.Get(Dir) ?? "secrets");
            var rekeyed = secrets.Rekey(UserIdentities.Load(context.Get(Identity) ?? []));
            foreach (var secret in rekeyed)
            {
                // A VM's host key (identities/VM) is always encrypted to the default recipients.
                var recipients = secret.StartsWith(VmIdentities.DirectoryName + "/", StringComparison.Ordinal) ? secrets.DefaultRecipientsFile() : secrets.RecipientsOf(secret);
                Console.Out.WriteLine($"{secret}: readable by {Names(recipients)}");
            }
            Console.Error.WriteLine(rekeyed.Count == 0 ? $"No secret in {secrets.Path}." : $"Rekeyed {rekeyed.Count} secret(s) and host key(s).");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command WhoCommand()
    {
        var name = new Argument<string>("name") { Description = "The secret's name." };
        var command = new Command("who", "Show who may read secret NAME, and whether its file agrees with its recipients file.") { name, Dir };
        CommandContext.Bind(command, (context, ct) =>
        {
            var readers = new SecretsDirectory(context.Get(Dir) ?? "secrets").Readers(context.Get(name));
            Console.Out.WriteLine($"Secret {readers.Name}: recipients from {readers.RecipientsPath}");
            foreach (var r in readers.Listed)
                Console.Out.WriteLine($"  {r.Name,-28} {Shorten(r.Recipient),-40} {(r.InFile switch { true => "in the file", false => "NOT in the file", null => "" })}");
            Console.Out.WriteLine($"The file is encrypted to {readers.X25519Stanzas} age key(s) and {readers.SshEd25519Stanzas} SSH key(s).");
            if (!readers.UpToDate) Console.Out.WriteLine("It does not match the recipients listed: run hangar secret rekey.");
            return Task.FromResult(readers.UpToDate ? ExitCodes.Ok : ExitCodes.Error);
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List the secrets and who may read each.") { Dir };
        CommandContext.Bind(command, (context, ct) =>
        {
            var secrets = new SecretsDirectory(context.Get(Dir) ?? "secrets");
            var names = secrets.List();
            if (names.Count == 0) Console.Error.WriteLine($"No secret in {secrets.Path}.");
            foreach (var secret in names)
            {
                var readers = secrets.Readers(secret);
                Console.Out.WriteLine($"{secret,-24} {Names(secrets.RecipientsOf(secret))}{(readers.UpToDate ? "" : "  (needs rekey)")}");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>
    /// With no recipients file yet, starts one with this user's key (made when there is none), the key of the
    /// home's own agent when it has run here (<c>HOME/agent/recipient.txt</c>) and <paramref name="agents"/> (the
    /// server's agents, named), and says so.
    /// </summary>
    internal static void EnsureRecipients(SecretsDirectory secrets, string home, IReadOnlyList<(string Name, AgeRecipient Recipient)>? agents = null)
    {
        if (File.Exists(secrets.DefaultRecipientsPath)) return;
        var entries = new List<(string Name, AgeRecipient Recipient)>();
        var agentFile = Path.Combine(home, "agent", "recipient.txt");
        if (File.Exists(agentFile))
        {
            var agent = AgeRecipient.Parse(File.ReadAllText(agentFile));
            entries.Add(($"agent of {home} on {Environment.MachineName}", agent));
            Console.Error.WriteLine($"Listing the local agent's key {Shorten(agent.Text)} (from {agentFile}), so its VMs can be given the secrets.");
        }
        foreach (var (name, recipient) in agents ?? [])
        {
            if (entries.Any(e => e.Recipient.Text == recipient.Text)) continue;
            entries.Add((name, recipient));
            Console.Error.WriteLine($"Listing the key of {name} {Shorten(recipient.Text)}, so its VMs can be given the secrets.");
        }
        var own = UserIdentities.Own();
        if (own is null)
        {
            var made = UserIdentities.Create();
            Console.Error.WriteLine($"Made your age identity {UserIdentities.OwnIdentityPath()} (0600; keep a copy: without it you cannot read these secrets).");
            own = ($"{Environment.UserName} ({Environment.MachineName})", made.Recipient);
        }
        entries.Insert(0, own.Value);
        secrets.CreateRecipients(RecipientsFile.Format(entries));
        Console.Error.WriteLine($"Started {secrets.DefaultRecipientsPath} with your key {Shorten(own.Value.Recipient.Text)}"
            + (entries.Count > 1 ? " and the agents'" : "") + "; add the keys of other hosts that need the secrets there, then hangar secret rekey.");
    }

    /// <summary>The value from standard input: typed without echo on a terminal (one line), else all of it as given.</summary>
    private static byte[] ReadValue(string secret)
    {
        if (!Console.IsInputRedirected)
        {
            Console.Error.Write($"Value of {secret} (not shown): ");
            var typed = new StringBuilder();
            while (Console.ReadKey(intercept: true) is var key && key.Key != ConsoleKey.Enter)
            {
                if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
                else if (key.KeyChar != '\0') typed.Append(key.KeyChar);
            }
            Console.Error.WriteLine();
            var bytes = Encoding.UTF8.GetBytes(typed.ToString());
            typed.Clear();
            return bytes;
        }
        using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static string Names(RecipientsFile recipients) => string.Join(", ", recipients.Entries.Select(e => e.Name));

    private static string Shorten(string recipient) => recipient.Length <= 40 ? recipient : recipient[..37] + "…";
}
