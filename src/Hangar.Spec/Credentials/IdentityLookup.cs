namespace Hangar.Spec;

/// <summary>What <see cref="SecretSource.FindIdentity"/> found: a VM's host key, none yet, or why it cannot be used.</summary>
public readonly record struct IdentityLookup(VmIdentity? Identity, string? Error)
{
    public static readonly IdentityLookup None = new(null, null);

    public static IdentityLookup Found(VmIdentity identity) => new(identity, null);

    public static IdentityLookup Invalid(string error) => new(null, error);
}
