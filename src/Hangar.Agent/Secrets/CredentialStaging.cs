using System.Security.Cryptography;
using System.Text;
using Hangar.Qemu;
using Hangar.Secrets;
using Hangar.Secrets.Age;
using Hangar.Spec;

namespace Hangar.Agent.Secrets;

/// <summary>
/// Hands a VM's systemd credentials to QEMU (and its host key, <see cref="VmIdentity"/>). A <c>value</c> becomes an SMBIOS type 11 string
/// (<c>io.systemd.credential:NAME=VALUE</c>); a <c>file</c> is given to fw_cfg by its own path; a <c>secret</c> is decrypted
/// with the agent's age identity into a 0600 file in a 0700 directory on a tmpfs (the runtime directory when it is one,
/// else <c>/dev/shm</c>), given to fw_cfg, and removed as soon as QEMU has started (QEMU reads fw_cfg files when it
/// starts). Plaintext never reaches a disk, the command line, the log or the control plane.
/// </summary>
public sealed class CredentialStaging(AgentOptions options, AgentKey key)
{
    /// <summary>The fw_cfg directory systemd looks in (systemd.system-credentials(7)).</summary>
    public const string FwCfgPrefix = "opt/io.systemd.credentials/";

    /// <summary>The SMBIOS type 11 prefix systemd looks for.</summary>
    public const string OemPrefix = "io.systemd.credential:";

    /// <summary>The largest credential systemd takes (CREDENTIAL_SIZE_MAX).</summary>
    public const int MaxBytes = 1024 * 1024;

    private readonly Lazy<string> _root = new(() => FindRoot(options.RuntimeDirectory));

    /// <summary>Where secrets are staged: on a tmpfs, private to this agent's runtime directory.</summary>
    /// <exception cref="IOException">Neither the runtime directory nor /dev/shm is a tmpfs.</exception>
    public string Root => _root.Value;

    public string DirectoryFor(string vm) => Path.Combine(Root, vm);

    /// <summary>Where the cloud-init seed of a VM with a host key is staged (it holds the private key); QEMU keeps it open.</summary>
    public string SeedPathFor(string vm) => Path.Combine(DirectoryFor(vm), StagedCredentials.SeedDirectory, "seed.iso");

    /// <summary>Where the files genisoimage makes the seed from are staged (shredded with the rest).</summary>
    public string SeedWorkFor(string vm) => Path.Combine(DirectoryFor(vm), ".seed-work");

    /// <summary>
    /// What the QEMU configuration gets for <paramref name="credentials"/>, and a digest that changes when any of them
    /// does (a secret by its ciphertext's hash, never by its plaintext). Reads nothing and stages nothing.
    /// </summary>
    public CredentialArguments Arguments(string vm, ValueList<CredentialSpec>? credentials, VmIdentity? identity = null)
    {
        identity = identity is { IsPending: false } ? identity : null;
        if (credentials is not { Count: > 0 } && identity is null) return CredentialArguments.None;
        var list = credentials ?? new ValueList<CredentialSpec>([]);
        var files = new List<QemuFwCfgFile>();
        var strings = new List<string>();
        var digest = new StringBuilder();
        foreach (var credential in list)
        {
            switch (credential.Kind)
            {
                case CredentialKind.Value:
                    strings.Add($"{OemPrefix}{credential.Name}={credential.Source}");
                    break;
                case CredentialKind.File:
                    files.Add(new QemuFwCfgFile(FwCfgPrefix + credential.Name, credential.Source));
                    break;
                default:
                    files.Add(new QemuFwCfgFile(FwCfgPrefix + credential.Name, Path.Combine(DirectoryFor(vm), credential.Name)));
                    digest.Append(credential.Name).Append(' ').Append(Sha256(credential.Ciphertext ?? "")).Append('\n');
                    break;
            }
        }
        if (identity is not null)
        {
            files.Add(new QemuFwCfgFile(FwCfgPrefix + VmIdentity.CredentialName, Path.Combine(DirectoryFor(vm), VmIdentity.CredentialName)));
            digest.Append("identity ").Append(Sha256(identity.Ciphertext!)).Append('\n');
        }
        return new CredentialArguments(files, strings, digest.Length == 0 ? "" : Sha256(digest.ToString()));
    }

    /// <summary>
    /// Checks the file credentials and writes the plaintext of the secret ones where <see cref="Arguments"/> said; the
    /// result removes them when disposed. Nothing is left behind when it throws.
    /// </summary>
    /// <exception cref="CredentialException">A secret this agent cannot open, a file that is missing or too large.</exception>
    /// <remarks>With a host key (<paramref name="identity"/>) the result also holds its plaintext, for the cloud-init
    /// seed (<see cref="StagedCredentials.HostKey"/>).</remarks>
    public StagedCredentials Stage(string vm, ValueList<CredentialSpec>? credentials, VmIdentity? identity = null)
    {
        identity = identity is { IsPending: false } ? identity : null;
        var list = credentials ?? new ValueList<CredentialSpec>([]);
        foreach (var file in list.Where(c => c.Kind == CredentialKind.File)) CheckFile(file);
        var secrets = list.Where(c => c.Kind == CredentialKind.Secret).ToArray();
        if (secrets.Length == 0 && identity is null) return StagedCredentials.Nothing;
        var directory = DirectoryFor(vm);
        var staged = new StagedCredentials(directory);
        try
        {
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Directory.CreateDirectory(Root, Private);
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); // a crash's leftovers
            Directory.CreateDirectory(directory, Private);
            if (identity is not null)
            {
                staged.HostKey = OpenHostKey(vm, identity);
                Write(directory, VmIdentity.CredentialName, staged.HostKey);
            }
            foreach (var secret in secrets)
            {
                var plaintext = secret.DecryptInGuest ? Sealed(secret) : Decrypt(secret);
                try
                {
                    Write(directory, secret.Name, plaintext);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(plaintext);
                }
            }
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    /// <summary>Removes what a crash between staging and QEMU's start left (the agent calls it when it starts).</summary>
    public void RemoveLeftovers()
    {
        try
        {
            foreach (var directory in Directory.Exists(Root) ? Directory.GetDirectories(Root) : [])
                new StagedCredentials(directory).Dispose();
        }
        catch (IOException)
        {
            // no tmpfs: nothing can have been staged
        }
    }

    private static void Write(string directory, string name, byte[] plaintext)
    {
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using var stream = new FileStream(Path.Combine(directory, name), create);
        stream.Write(plaintext);
    }

    /// <summary>The host key's private key file, checked to be the one its public line says (a mixed-up pair fails the VM).</summary>
    private byte[] OpenHostKey(string vm, VmIdentity identity)
    {
        var what = $"the host key of VM {vm} (secrets/identities/{vm}.age)";
        byte[] pem;
        try
        {
            pem = AgeFile.Decrypt(Convert.FromBase64String(identity.Ciphertext!), [key.Identity]);
        }
        catch (Exception e) when (e is AgeException or FormatException)
        {
            throw new CredentialException(
                $"{what}: this agent cannot open it: {e.Message}. List the agent's recipient {key.Recipient} in secrets/recipients.txt, " +
                "run hangar secret rekey, and apply again", e);
        }
        string publicKey;
        try
        {
            publicKey = SshHostKey.PublicKeyOf(Encoding.ASCII.GetString(pem), what);
        }
        catch (AgeException e)
        {
            CryptographicOperations.ZeroMemory(pem);
            throw new CredentialException($"{what} is not an unprotected ssh-ed25519 private key: {e.Message}", e);
        }
        if (publicKey != identity.PublicKey)
        {
            CryptographicOperations.ZeroMemory(pem);
            throw new CredentialException($"{what} does not belong to the public key in secrets/identities/{vm}.pub ({identity.Fingerprint}); restore the pair from version control");
        }
        return pem;
    }

    /// <summary>A secret the guest opens itself: its age file, as it is.</summary>
    private static byte[] Sealed(CredentialSpec secret)
    {
        var what = $"credential '{secret.Name}' (secret '{secret.Source}', opened by the guest)";
        byte[] ciphertext;
        try
        {
            ciphertext = Convert.FromBase64String(secret.Ciphertext ?? throw new CredentialException($"{what}: the desired state carries no ciphertext for it"));
        }
        catch (FormatException e)
        {
            throw new CredentialException($"{what}: its ciphertext is not base64", e);
        }
        if (ciphertext.Length > MaxBytes)
            throw new CredentialException($"{what}: its age file has {ciphertext.Length:N0} bytes; systemd takes credentials of at most {MaxBytes:N0}");
        return ciphertext;
    }

    private byte[] Decrypt(CredentialSpec secret)
    {
        var what = $"credential '{secret.Name}' (secret '{secret.Source}')";
        if (secret.Ciphertext is not { } text)
            throw new CredentialException($"{what}: the desired state carries no ciphertext for it");
        byte[] ciphertext;
        try
        {
            ciphertext = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new CredentialException($"{what}: its ciphertext is not base64", e);
        }
        byte[] plaintext;
        try
        {
            plaintext = AgeFile.Decrypt(ciphertext, [key.Identity]);
        }
        catch (AgeException e)
        {
            throw new CredentialException(
                $"{what}: this agent cannot open secrets/{secret.Source}.age: {e.Message}. List the agent's recipient {key.Recipient} " +
                $"in the secret's recipients file, run hangar secret rekey, and apply again", e);
        }
        if (plaintext.Length > MaxBytes)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CredentialException($"{what}: it holds {plaintext.Length:N0} bytes; systemd takes credentials of at most {MaxBytes:N0}");
        }
        return plaintext;
    }

    private static void CheckFile(CredentialSpec file)
    {
        var what = $"credential '{file.Name}' (file {file.Source})";
        FileInfo info;
        try
        {
            info = new FileInfo(file.Source);
            if (!info.Exists) throw new CredentialException($"{what}: there is no such file on this host");
            using (File.OpenRead(file.Source)) { } // readable, as QEMU will need it
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CredentialException($"{what}: cannot read it: {e.Message}", e);
        }
        if (info.Length > MaxBytes)
            throw new CredentialException($"{what}: it has {info.Length:N0} bytes; systemd takes credentials of at most {MaxBytes:N0}");
    }

    /// <summary>The runtime directory's <c>_credentials</c> when it is on a tmpfs, else one of this agent's own under /dev/shm.</summary>
    private static string FindRoot(string runtimeDirectory)
    {
        var existing = runtimeDirectory;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        if (PrivateTmpfs.FileSystemOf(existing) is "tmpfs" or "ramfs") return Path.Combine(runtimeDirectory, "_credentials");
        if (Directory.Exists("/dev/shm") && PrivateTmpfs.FileSystemOf("/dev/shm") is "tmpfs")
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(runtimeDirectory))))[..12];
            return Path.Combine("/dev/shm", $"hangar-credentials-{hash}");
        }
        throw new IOException($"neither the runtime directory {runtimeDirectory} nor /dev/shm is a tmpfs; Hangar does not put a secret's plaintext on a disk");
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
