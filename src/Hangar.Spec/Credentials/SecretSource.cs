namespace Hangar.Spec;

/// <summary>
/// Where the parser finds the ciphertext of the secrets a fleet file's credentials name: the CLI reads
/// <c>secrets/NAME.age</c> beside the fleet file (<see cref="Beside"/>), the control plane takes what the CLI sent with the
/// request (<see cref="FromCiphertexts"/>). The parser never sees plaintext: it only checks that each secret is an age
/// file of bounded size.
/// </summary>
public abstract class SecretSource
{
    /// <summary>The directory of secrets beside a fleet file, relative to the file's directory.</summary>
    public const string DirectoryName = "secrets";

    /// <summary>What an age file starts with, binary or armored (age's format specification).</summary>
    private static readonly byte[] BinaryMagic = "age-encryption.org/v1\n"u8.ToArray();
    private static readonly byte[] ArmorMagic = "-----BEGIN AGE ENCRYPTED FILE-----"u8.ToArray();

    private readonly Dictionary<string, SecretLookup> _seen = new(StringComparer.Ordinal);
    private long _total;

    /// <summary>The secret's ciphertext (base64), or why there is none; each name is read once, however many VMs name it.</summary>
    public SecretLookup Find(string name)
    {
        if (_seen.TryGetValue(name, out var known)) return known;
        var raw = Read(name);
        SecretLookup found;
        if (raw.Bytes is not { } bytes) found = SecretLookup.Missing(raw.Error!);
        else if (bytes.Length > SpecLimits.MaxSecretBytes) found = SecretLookup.Missing(TooLarge(name, bytes.Length));
        else if (!bytes.AsSpan().StartsWith(BinaryMagic) && !bytes.AsSpan().TrimStart(" \t\r\n"u8).StartsWith(ArmorMagic))
            found = SecretLookup.Missing($"{Where(name)} is not an age file (it does not start with 'age-encryption.org/v1'); write it with hangar secret set {name}");
        else if ((_total += bytes.Length) > SpecLimits.MaxSecretsBytes)
            found = SecretLookup.Missing($"the secrets this file names hold more than {SpecLimits.MaxSecretsBytes:N0} bytes together");
        else found = SecretLookup.Found(Convert.ToBase64String(bytes));
        _seen[name] = found;
        return found;
    }

    /// <summary>
    /// VM <paramref name="vm"/>'s host key: <see cref="IdentityLookup.None"/> when it has none yet (the CLI makes it at
    /// apply), else its public line and the ciphertext of its private key, checked to be an ssh-ed25519 key and an age
    /// file of bounded size.
    /// </summary>
    public IdentityLookup FindIdentity(string vm)
    {
        var raw = ReadIdentity(vm);
        if (raw.Error is { } error) return IdentityLookup.Invalid(error);
        if (raw.PublicKey is not { } line || raw.Ciphertext is not { } bytes) return IdentityLookup.None;
        if (VmIdentity.Normalize(line) is not { } publicKey)
            return IdentityLookup.Invalid($"{WhereIdentity(vm)}.pub does not hold an ssh-ed25519 public key ('ssh-ed25519 AAAA…')");
        if (bytes.Length > SpecLimits.MaxSecretBytes || !bytes.AsSpan().StartsWith(BinaryMagic) && !bytes.AsSpan().TrimStart(" \t\r\n"u8).StartsWith(ArmorMagic))
            return IdentityLookup.Invalid($"{WhereIdentity(vm)}.age is not an age file of a host key; remove both of its files to have a new key made");
        if ((_total += bytes.Length) > SpecLimits.MaxSecretsBytes)
            return IdentityLookup.Invalid($"the secrets and host keys this file names hold more than {SpecLimits.MaxSecretsBytes:N0} bytes together");
        return IdentityLookup.Found(new VmIdentity(publicKey) { Ciphertext = Convert.ToBase64String(bytes) });
    }

    /// <summary>The host key files of <paramref name="vm"/> (both null for none yet), or why they cannot be read.</summary>
    protected abstract RawIdentity ReadIdentity(string vm);

    /// <summary>How messages name a VM's host key files (without their extension).</summary>
    protected virtual string WhereIdentity(string vm) => $"{DirectoryName}/{IdentitiesDirectory}/{vm}";

    /// <summary>The directory of the VMs' host keys under <see cref="DirectoryName"/>.</summary>
    public const string IdentitiesDirectory = "identities";

    private string TooLarge(string name, long size) =>
        $"{Where(name)} has {size:N0} bytes; a secret may have at most {SpecLimits.MaxSecretBytes:N0} (systemd takes credentials of up to 1 MiB)";

    /// <summary>The age file of secret <paramref name="name"/>, or why it cannot be had.</summary>
    protected abstract RawSecret Read(string name);

    /// <summary>How messages name the secret's file.</summary>
    protected abstract string Where(string name);

    /// <summary><c>secrets/NAME.age</c> under <paramref name="fleetDirectory"/>.</summary>
    public static SecretSource Beside(string fleetDirectory) => new DirectorySource(Path.Combine(fleetDirectory, DirectoryName));

    /// <summary>The ciphertexts (base64) a request carried, by secret name, and the VMs' host keys, by VM name.</summary>
    public static SecretSource FromCiphertexts(IReadOnlyDictionary<string, string>? ciphertexts, IReadOnlyDictionary<string, VmIdentity>? identities = null) =>
        new MapSource(ciphertexts, identities);

    /// <summary>What <see cref="Read"/> found: the bytes, or a message.</summary>
    protected readonly record struct RawSecret(byte[]? Bytes, string? Error);

    /// <summary>What <see cref="ReadIdentity"/> found: the public line and the private key's age file, or a message.</summary>
    protected readonly record struct RawIdentity(string? PublicKey, byte[]? Ciphertext, string? Error);

    private sealed class DirectorySource(string directory) : SecretSource
    {
        protected override string Where(string name) => $"{DirectoryName}/{name}.age";

        protected override RawSecret Read(string name)
        {
            var path = Path.Combine(directory, name + ".age");
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
                if (stream.Length > SpecLimits.MaxSecretBytes) return new RawSecret(null, TooLarge(name, stream.Length));
                var bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
                return new RawSecret(bytes, null);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return new RawSecret(null, $"there is no {Where(name)} beside the fleet file; make it with hangar secret set {name}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new RawSecret(null, $"cannot read {Where(name)}: {e.Message}");
            }
        }

        protected override RawIdentity ReadIdentity(string vm)
        {
            var stem = Path.Combine(directory, IdentitiesDirectory, vm);
            var (pub, age) = (stem + ".pub", stem + ".age");
            try
            {
                if (!File.Exists(pub) && !File.Exists(age)) return default;
                if (!File.Exists(pub) || !File.Exists(age))
                    return new RawIdentity(null, null, $"{WhereIdentity(vm)}{(File.Exists(pub) ? ".pub has no .age" : ".age has no .pub")} beside it; " +
                        "restore the missing file from version control, or remove the other to have a new key made");
                if (new FileInfo(pub).Length > 16 * 1024 || new FileInfo(age).Length > SpecLimits.MaxSecretBytes)
                    return new RawIdentity(null, null, $"{WhereIdentity(vm)}: the files are far larger than a host key's");
                return new RawIdentity(File.ReadAllText(pub), File.ReadAllBytes(age), null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new RawIdentity(null, null, $"cannot read {WhereIdentity(vm)}: {e.Message}");
            }
        }
    }

    private sealed class MapSource(IReadOnlyDictionary<string, string>? ciphertexts, IReadOnlyDictionary<string, VmIdentity>? identities) : SecretSource
    {
        protected override string WhereIdentity(string vm) => $"the host key of VM '{vm}' in the request";

        protected override RawIdentity ReadIdentity(string vm)
        {
            if (identities?.GetValueOrDefault(vm) is not { } identity) return default;
            if (identity.PublicKey is null || identity.Ciphertext is null) return new RawIdentity(null, null, $"{WhereIdentity(vm)} lacks its public key or its ciphertext");
            try
            {
                return new RawIdentity(identity.PublicKey, Convert.FromBase64String(identity.Ciphertext), null);
            }
            catch (FormatException)
            {
                return new RawIdentity(null, null, $"{WhereIdentity(vm)}: its ciphertext is not base64");
            }
        }

        protected override string Where(string name) => $"the ciphertext of secret '{name}'";

        protected override RawSecret Read(string name)
        {
            if (ciphertexts?.GetValueOrDefault(name) is not { } text)
                return new RawSecret(null, $"the request carries no ciphertext for secret '{name}' (the CLI sends secrets/{name}.age with the file; is it older than this server?)");
            try
            {
                return new RawSecret(Convert.FromBase64String(text), null);
            }
            catch (FormatException)
            {
                return new RawSecret(null, $"the ciphertext of secret '{name}' in the request is not base64");
            }
        }
    }
}
