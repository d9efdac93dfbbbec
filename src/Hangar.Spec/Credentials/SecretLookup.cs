namespace Hangar.Spec;

/// <summary>What <see cref="SecretSource.Find"/> found: a secret's ciphertext (base64), or why there is none.</summary>
public readonly record struct SecretLookup(string? Ciphertext, string? Error)
{
    public static SecretLookup Found(string ciphertext) => new(ciphertext, null);

    public static SecretLookup Missing(string error) => new(null, error);
}
