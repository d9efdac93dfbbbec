using System.CommandLine;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary>The FILE argument of up/apply/validate, and reading it into an apply request after a local check.</summary>
public static class FleetFileArgument
{
    public static Argument<string> Create() => new("file") { Description = "The fleet file (YAML or JSON)." };

    /// <summary>Reads and validates the file locally (fast feedback); null with the errors printed when it is invalid.</summary>
    public static ApplyRequest? Read(CommandContext context, string file, string? message, bool startStopped) =>
        Read(context, file, message, startStopped, out _);

    /// <inheritdoc cref="Read(CommandContext, string, string?, bool)"/>
    /// <param name="spec">The spec that was read, for what the CLI does before it sends it (host keys to make).</param>
    public static ApplyRequest? Read(CommandContext context, string file, string? message, bool startStopped, out FleetSpec? spec)
    {
        spec = null;
        var result = FleetParser.ParseFile(file, out var text);
        if (!result.IsValid || text is null)
        {
            Output.SpecErrors.Write(context.Terminal, result.Errors.ToArray());
            return null;
        }
        var full = Path.GetFullPath(file);
        // The text that was checked is the text sent: the file is read once, within the size limit. So are the secrets:
        // the ciphertext the parser read beside the file goes along (the server cannot read the CLI's files).
        spec = result.Spec!;
        return new ApplyRequest(file, text, Path.GetDirectoryName(full), message, startStopped, Secrets: SecretsOf(spec), Identities: IdentitiesOf(spec));
    }

    /// <summary>The host keys of the fleet's VMs that have one, by VM name; null when none does.</summary>
    public static IReadOnlyDictionary<string, VmIdentity>? IdentitiesOf(FleetSpec spec)
    {
        var keys = new SortedDictionary<string, VmIdentity>(StringComparer.Ordinal);
        foreach (var vm in spec.Vms)
            if (vm.Identity is { IsPending: false } identity) keys[vm.Name] = identity;
        return keys.Count == 0 ? null : keys;
    }

    /// <summary>The ciphertext of each secret the fleet's credentials name, by secret name; null when none does.</summary>
    public static IReadOnlyDictionary<string, string>? SecretsOf(FleetSpec spec)
    {
        var secrets = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var vm in spec.Vms)
            foreach (var credential in vm.Credentials ?? [])
                if (credential is { Kind: CredentialKind.Secret, Ciphertext: { } ciphertext }) secrets.TryAdd(credential.Source, ciphertext);
        return secrets.Count == 0 ? null : secrets;
    }
}
