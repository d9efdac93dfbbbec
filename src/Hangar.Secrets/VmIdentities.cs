using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Hangar.Secrets.Age;

namespace Hangar.Secrets;

/// <summary>
/// The SSH host keys of a fleet's VMs, beside its secrets: <c>secrets/identities/VM.age</c> holds the private key,
/// encrypted to the recipients of <c>secrets/recipients.txt</c> (the agents that start the VM, and the people who may
/// rekey), and <c>secrets/identities/VM.pub</c> its public line, in the clear. Versioned with the fleet file like the
/// secrets, so a VM keeps its key across restarts, generations, rollbacks and hosts, and the public key is known
/// before the VM first boots (it can be a secret's recipient then).
/// </summary>
public sealed partial class VmIdentities(SecretsDirectory secrets)
{
    /// <summary>The directory under the secrets directory.</summary>
    public const string DirectoryName = "identities";

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex VmName();

    public string Path { get; } = System.IO.Path.Combine(secrets.Path, DirectoryName);

    public string PrivateKeyPath(string vm) => System.IO.Path.Combine(Path, Checked(vm) + ".age");

    public string PublicKeyPath(string vm) => System.IO.Path.Combine(Path, Checked(vm) + ".pub");

    /// <summary>The VMs that have a key here, sorted.</summary>
    public IReadOnlyList<string> List() => !Directory.Exists(Path) ? [] :
        Directory.EnumerateFiles(Path, "*.pub").Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
            .Where(n => VmName().IsMatch(n) && File.Exists(System.IO.Path.Combine(Path, n + ".age"))).Order(StringComparer.Ordinal).ToList();

    /// <summary>The public line of <paramref name="vm"/>'s key (<c>ssh-ed25519 AAAA…</c>); null when it has none yet.</summary>
    /// <exception cref="AgeException">The file is there but holds no ssh-ed25519 public key.</exception>
    public string? PublicKey(string vm)
    {
        var file = PublicKeyPath(vm);
        if (!File.Exists(file) || !File.Exists(PrivateKeyPath(vm))) return null;
        var text = File.ReadAllText(file).Trim();
        try
        {
            return AgeRecipient.Parse(text) is SshEd25519Recipient ssh ? ssh.Text : throw new AgeException("not an ssh-ed25519 key");
        }
        catch (AgeException e)
        {
            throw new AgeException($"{file}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Makes <paramref name="vm"/>'s key pair, encrypted to the default recipients; returns the public line. The
    /// private key exists in memory only. The <c>.pub</c> file is written last, so a key is there only when both are.
    /// </summary>
    /// <exception cref="AgeException">It has one already, or no recipients file says who may read it.</exception>
    public string Create(string vm)
    {
        if (PublicKey(vm) is not null) throw new AgeException($"VM {vm} has a host key already ({PublicKeyPath(vm)})");
        var recipients = secrets.DefaultRecipientsFile();
        using var key = SshHostKey.Generate($"root@{vm}");
        Directory.CreateDirectory(Path);
        SecretsDirectory.WriteAtomically(PrivateKeyPath(vm), AgeFile.Encrypt(key.PrivatePem, recipients.Recipients));
        SecretsDirectory.WriteAtomically(PublicKeyPath(vm), Encoding.ASCII.GetBytes($"{key.PublicKey} {vm}\n"));
        return key.PublicKey;
    }

    /// <summary>The private key's plaintext, opened with <paramref name="identities"/>.</summary>
    public byte[] Open(string vm, IReadOnlyCollection<AgeIdentity> identities)
    {
        var file = PrivateKeyPath(vm);
        if (!File.Exists(file)) throw new AgeException($"VM {vm} has no host key ({file})");
        try { return AgeFile.Decrypt(File.ReadAllBytes(file), identities); }
        catch (AgeException e) { throw new AgeException($"{file}: {e.Message}", e); }
    }

    /// <summary>Encrypts an opened private key again to the default recipients as they are now.</summary>
    internal void Reseal(string vm, ReadOnlySpan<byte> privatePem) =>
        SecretsDirectory.WriteAtomically(PrivateKeyPath(vm), AgeFile.Encrypt(privatePem, secrets.DefaultRecipientsFile().Recipients));

    private static string Checked(string vm) =>
        VmName().IsMatch(vm) ? vm : throw new AgeException($"'{vm}' is not a VM name");
}
