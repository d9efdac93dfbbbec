using System.Text.RegularExpressions;
using Hangar.Secrets.Age;

namespace Hangar.Secrets;

/// <summary>
/// The secrets beside a fleet file: <c>secrets/NAME.age</c>, encrypted to the recipients of
/// <c>secrets/NAME.recipients.txt</c> when that file exists, else of <c>secrets/recipients.txt</c>. Only ciphertext is
/// written here; every write is a new file renamed into place, so a secret is never half-written.
/// </summary>
public sealed partial class SecretsDirectory(string path)
{
    /// <summary>The recipients every secret without its own file is encrypted to.</summary>
    public const string DefaultRecipients = "recipients.txt";

    /// <summary>A secret's name: what the fleet file refers to, and the file name before <c>.age</c>.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string DefaultRecipientsPath => System.IO.Path.Combine(Path, DefaultRecipients);

    /// <summary>Refuses a name that could not be a secret's (and so never a path outside this directory).</summary>
    public static void CheckName(string name)
    {
        if (!NamePattern().IsMatch(name) || name.EndsWith(".recipients", StringComparison.Ordinal))
            throw new AgeException($"'{name}' is not a secret name: use 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    public string FileOf(string name)
    {
        CheckName(name);
        return System.IO.Path.Combine(Path, name + ".age");
    }

    /// <summary>The names of the secrets here, sorted.</summary>
    public IReadOnlyList<string> List() => !Directory.Exists(Path) ? [] :
        Directory.EnumerateFiles(Path, "*.age").Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
            .Where(n => NamePattern().IsMatch(n)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The recipients <paramref name="name"/> is (to be) encrypted to: its own file, else the default one.</summary>
    /// <exception cref="AgeException">Neither exists, or the one that does is wrong.</exception>
    public RecipientsFile RecipientsOf(string name)
    {
        CheckName(name);
        var own = System.IO.Path.Combine(Path, name + ".recipients.txt");
        var file = File.Exists(own) ? own : DefaultRecipientsPath;
        if (!File.Exists(file)) throw new AgeException($"{DefaultRecipientsPath} does not exist: nobody is named to read secrets yet");
        return RecipientsFile.Parse(File.ReadAllText(file), file);
    }

    /// <summary>The recipients file every secret without its own is encrypted to (and the VMs' host keys always are).</summary>
    /// <exception cref="AgeException">It does not exist, or is wrong.</exception>
    public RecipientsFile DefaultRecipientsFile()
    {
        if (!File.Exists(DefaultRecipientsPath)) throw new AgeException($"{DefaultRecipientsPath} does not exist: nobody is named to read secrets yet");
        return RecipientsFile.Parse(File.ReadAllText(DefaultRecipientsPath), DefaultRecipientsPath);
    }

    /// <summary>Encrypts <paramref name="plaintext"/> as secret <paramref name="name"/> to its recipients, replacing it whole.</summary>
    public RecipientsFile Write(string name, ReadOnlySpan<byte> plaintext)
    {
        var recipients = RecipientsOf(name);
        WriteCiphertext(name, AgeFile.Encrypt(plaintext, recipients.Recipients));
        return recipients;
    }

    /// <summary>The plaintext of secret <paramref name="name"/>, opened with <paramref name="identities"/>.</summary>
    public byte[] Read(string name, IReadOnlyCollection<AgeIdentity> identities)
    {
        var file = FileOf(name);
        if (!File.Exists(file)) throw new AgeException($"secret '{name}' does not exist ({file})");
        try { return AgeFile.Decrypt(File.ReadAllBytes(file), identities); }
        catch (AgeException e) { throw new AgeException($"{file}: {e.Message}", e); }
    }

    /// <summary>
    /// Encrypts every secret, and every VM's host key (<see cref="VmIdentities"/>), again to its recipients as they are
    /// now. All are opened first: when one cannot be, none is rewritten. Returns the names rewritten (host keys as
    /// <c>identities/VM</c>).
    /// </summary>
    public IReadOnlyList<string> Rekey(IReadOnlyCollection<AgeIdentity> identities)
    {
        var opened = new List<(string Name, byte[] Plaintext, RecipientsFile Recipients)>();
        var keys = new VmIdentities(this);
        var hostKeys = new List<(string Vm, byte[] Pem)>();
        try
        {
            foreach (var name in List()) opened.Add((name, Read(name, identities), RecipientsOf(name)));
            foreach (var vm in keys.List()) hostKeys.Add((vm, keys.Open(vm, identities)));
            if (hostKeys.Count > 0) DefaultRecipientsFile();
            var sealedFiles = opened.Select(o => (o.Name, Bytes: AgeFile.Encrypt(o.Plaintext, o.Recipients.Recipients))).ToList();
            foreach (var (name, bytes) in sealedFiles) WriteCiphertext(name, bytes);
            foreach (var (vm, pem) in hostKeys) keys.Reseal(vm, pem);
            return [.. opened.Select(o => o.Name), .. hostKeys.Select(k => $"{VmIdentities.DirectoryName}/{k.Vm}")];
        }
        finally
        {
            foreach (var o in opened) System.Security.Cryptography.CryptographicOperations.ZeroMemory(o.Plaintext);
            foreach (var k in hostKeys) System.Security.Cryptography.CryptographicOperations.ZeroMemory(k.Pem);
        }
    }

    /// <summary>What the file of <paramref name="name"/> is encrypted to, as far as its header tells: stanzas by type,
    /// and which listed SSH recipients it names (an X25519 stanza does not say whose it is).</summary>
    public SecretReaders Readers(string name)
    {
        var file = FileOf(name);
        if (!File.Exists(file)) throw new AgeException($"secret '{name}' does not exist ({file})");
        var recipients = RecipientsOf(name);
        using var stream = File.OpenRead(file);
        AgeHeader header;
        try { header = AgeHeader.Read(new BufferedStream(stream)); }
        catch (AgeException e) { throw new AgeException($"{file}: {e.Message}", e); }
        var sshTags = header.Stanzas.Where(s => s.Type == "ssh-ed25519" && s.Args.Count > 0).Select(s => s.Args[0]).ToHashSet(StringComparer.Ordinal);
        var listed = recipients.Entries.Select(e => new SecretReader(e.Name, e.Recipient.Text,
            e.Recipient is SshEd25519Recipient ssh ? sshTags.Contains(ssh.Tag) : null)).ToList();
        var x25519 = header.Stanzas.Count(s => s.Type == "X25519");
        var ssh = header.Stanzas.Count(s => s.Type == "ssh-ed25519");
        return new SecretReaders(name, recipients.Path, listed, x25519, ssh,
            UpToDate: x25519 == recipients.Entries.Count(e => e.Recipient is X25519Recipient) && listed.All(l => l.InFile != false)
                && ssh == recipients.Entries.Count(e => e.Recipient is SshEd25519Recipient));
    }

    /// <summary>Writes a recipients file that does not exist yet (never replaces one).</summary>
    public void CreateRecipients(string text)
    {
        Directory.CreateDirectory(Path);
        using var file = new FileStream(DefaultRecipientsPath, FileMode.CreateNew, FileAccess.Write);
        file.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    private void WriteCiphertext(string name, byte[] bytes)
    {
        Directory.CreateDirectory(Path);
        WriteAtomically(FileOf(name), bytes);
    }

    /// <summary>Writes <paramref name="bytes"/> to a new file beside <paramref name="target"/>, flushed, then renames it into place.</summary>
    internal static void WriteAtomically(string target, byte[] bytes)
    {
        var temporary = target + $".tmp-{Environment.ProcessId}";
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
