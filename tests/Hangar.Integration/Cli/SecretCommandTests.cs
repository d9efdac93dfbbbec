using System.Diagnostics;
using System.Text;
using Hangar.Testing;

namespace Hangar.Integration.Cli;

/// <summary>
/// <c>hangar secret</c> as a user runs it (the native client under scripts/test.sh), checked with the real <c>age</c>
/// and <c>ssh-keygen</c>: the files it writes are age files others can open, and the plaintext lands nowhere on disk.
/// </summary>
public sealed class SecretCommandTests : IDisposable
{
    private const string Marker = "marker-7c1f0e-hunter2";
    private readonly string _root = Directory.CreateTempSubdirectory("hangar-secret-").FullName;

    private string Secrets => Path.Combine(_root, "repo", "secrets");
    private string OwnIdentity => Path.Combine(_root, "config", "hangar", "identity.txt");

    public SecretCommandTests() => Directory.CreateDirectory(Path.Combine(_root, "repo"));

    private (int Code, string Out, string Err) Hangar(string? stdin, Dictionary<string, string>? extra, params string[] args)
    {
        var (fileName, prefix) = HangarCommand.Client;
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.Combine(_root, "repo"),
        };
        foreach (var arg in prefix.Concat(args)) start.ArgumentList.Add(arg);
        start.Environment["HOME"] = _root;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(_root, "config");
        start.Environment["HANGAR_HOME"] = Path.Combine(_root, "home");
        start.Environment.Remove("HANGAR_IDENTITY");
        start.Environment.Remove("XDG_RUNTIME_DIR");
        foreach (var (k, v) in extra ?? []) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "hangar secret did not exit");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string Age(params string[] args) => Encoding.UTF8.GetString(AgeTool.Run("age", null, args));

    private string SshKey()
    {
        var path = Path.Combine(_root, $"id-{Guid.NewGuid():N}");
        AgeTool.Run("ssh-keygen", null, "-q", "-t", "ed25519", "-N", "", "-C", "laptop", "-f", path);
        return path;
    }

    [Fact]
    public void Set_NoRecipientsFileNorKey_MakesBothAndAgeOpensTheSecret()
    {
        var (code, _, err) = Hangar(Marker, null, "secret", "set", "api-key");

        Assert.True(code == 0, err);
        Assert.Contains("Made your age identity", err);
        Assert.Contains("Started", err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(OwnIdentity));
        Assert.Equal(Marker, Age("-d", "-i", OwnIdentity, Path.Combine(Secrets, "api-key.age")));
        // age itself encrypts to the same recipients file Hangar wrote.
        Assert.Equal("x", Age("-d", "-i", OwnIdentity, WriteWithAge("x")));
        AssertNoPlaintextUnder(_root);
    }

    [Fact]
    public void Set_HomeWhoseAgentHasAKey_ListsTheAgentSoItOpensTheSecret()
    {
        // What the home's agent leaves on its first start (AgentKey): its identity, and its recipient beside it.
        var agentDir = Path.Combine(_root, "home", "agent");
        Directory.CreateDirectory(agentDir);
        var agentIdentity = Path.Combine(agentDir, "identity.txt");
        AgeTool.Run("age-keygen", null, "-o", agentIdentity);
        File.WriteAllBytes(Path.Combine(agentDir, "recipient.txt"), AgeTool.Run("age-keygen", null, "-y", agentIdentity));

        var (code, _, err) = Hangar(Marker, null, "secret", "set", "api-key");

        Assert.True(code == 0, err);
        Assert.Contains("local agent", err);
        Assert.Equal(Marker, Age("-d", "-i", agentIdentity, Path.Combine(Secrets, "api-key.age")));
        Assert.Equal(Marker, Age("-d", "-i", OwnIdentity, Path.Combine(Secrets, "api-key.age")));
        Assert.Contains("agent of", File.ReadAllText(Path.Combine(Secrets, "recipients.txt")));
    }

    [Fact]
    public void Rekey_AfterAnSshKeyIsAdded_WhoSaysSoAndTheKeyThenOpensTheSecret()
    {
        Assert.Equal(0, Hangar(Marker, null, "secret", "set", "db").Code);
        var key = SshKey();
        File.AppendAllText(Path.Combine(Secrets, "recipients.txt"), "\n# laptop of ops\n" + File.ReadAllText(key + ".pub"));

        var before = Hangar(null, null, "secret", "who", "db");
        Assert.Equal(1, before.Code);
        Assert.Contains("laptop of ops", before.Out);
        Assert.Contains("NOT in the file", before.Out);
        Assert.Contains("hangar secret rekey", before.Out);

        var rekey = Hangar(null, null, "secret", "rekey");
        Assert.True(rekey.Code == 0, rekey.Err);
        Assert.Equal(Marker, Age("-d", "-i", key, Path.Combine(Secrets, "db.age")));
        Assert.Equal(0, Hangar(null, null, "secret", "who", "db").Code);
    }

    [Fact]
    public void Rekey_WithAVmHostKeyMadeBeforeTheVmRan_RekeysItSoTheNewRecipientOpensTheSameKey()
    {
        Assert.Equal(0, Hangar(Marker, null, "secret", "set", "db").Code);
        var made = Hangar(null, null, "vm", "identity", "web", "--create");
        Assert.True(made.Code == 0, made.Err);
        var publicLine = File.ReadAllText(Path.Combine(Secrets, "identities", "web.pub"));
        Assert.Equal(publicLine, made.Out);
        Assert.Equal(publicLine, Hangar(null, null, "vm", "identity", "web").Out); // no server: the file's key
        var key = SshKey();
        File.AppendAllText(Path.Combine(Secrets, "recipients.txt"), "\n# laptop of ops\n" + File.ReadAllText(key + ".pub"));

        var rekey = Hangar(null, null, "secret", "rekey");

        Assert.True(rekey.Code == 0, rekey.Err);
        Assert.Contains("identities/web: readable by", rekey.Out);
        Assert.Contains("laptop of ops", rekey.Out);
        var pem = Path.Combine(_root, "web-host-key");
        File.WriteAllBytes(pem, AgeTool.Run("age", null, "-d", "-i", key, Path.Combine(Secrets, "identities", "web.age")));
        File.SetUnixFileMode(pem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var derived = Encoding.ASCII.GetString(AgeTool.Run("ssh-keygen", null, "-y", "-f", pem));
        File.Delete(pem);
        Assert.Equal(string.Join(' ', publicLine.Split(' ').Take(2)), string.Join(' ', derived.Split(' ').Take(2)));
        Assert.Equal(publicLine, File.ReadAllText(Path.Combine(Secrets, "identities", "web.pub"))); // the same key
    }

    [Fact]
    public void Edit_ThroughEditor_ChangesTheSecretOnATmpfsThatIsGoneAfterwards()
    {
        Assert.Equal(0, Hangar("old-" + Marker, null, "secret", "set", "motd").Code);
        var seen = Path.Combine(_root, "editor-saw");
        var editor = Path.Combine(_root, "editor.sh");
        File.WriteAllText(editor, $"#!/bin/sh\necho \"$1\" > {seen}\ncat \"$1\" >> {seen}.content\nprintf 'new-{Marker}' > \"$1\"\n");
        File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var (code, _, err) = Hangar(null, new() { ["EDITOR"] = editor, ["VISUAL"] = "" }, "secret", "edit", "motd");

        Assert.True(code == 0, err);
        Assert.Equal("new-" + Marker, Age("-d", "-i", OwnIdentity, Path.Combine(Secrets, "motd.age")));
        var edited = File.ReadAllText(seen).Trim();
        Assert.Equal("tmpfs", global::Hangar.Secrets.PrivateTmpfs.FileSystemOf(Path.GetDirectoryName(edited)!));
        Assert.False(File.Exists(edited));
        Assert.False(Directory.Exists(Path.GetDirectoryName(edited)));
        Assert.Equal("old-" + Marker, File.ReadAllText(seen + ".content"));
        File.Delete(seen + ".content");
        File.Delete(editor); // it holds the new value itself
        AssertNoPlaintextUnder(_root);
    }

    [Fact]
    public void Rekey_OneSecretNoIdentityOpens_NamesItAndRewritesNone()
    {
        Assert.Equal(0, Hangar(Marker, null, "secret", "set", "a").Code);
        var stranger = Path.Combine(_root, "stranger.txt");
        AgeTool.Run("age-keygen", null, "-o", stranger);
        var strangers = Encoding.ASCII.GetString(AgeTool.Run("age-keygen", null, "-y", stranger)).Trim();
        File.WriteAllBytes(Path.Combine(Secrets, "b.age"), AgeTool.Run("age", "x"u8.ToArray(), "-r", strangers));
        var a = File.ReadAllBytes(Path.Combine(Secrets, "a.age"));

        var (code, _, err) = Hangar(null, null, "secret", "rekey");

        Assert.Equal(2, code);
        Assert.Contains("b.age", err);
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(Secrets, "a.age")));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("Upper")]
    public void Set_BadName_RefusedNamingIt(string name)
    {
        var (code, _, err) = Hangar("x", null, "secret", "set", name);

        Assert.Equal(2, code);
        Assert.Contains($"'{name}' is not a secret name", err);
        Assert.False(Directory.Exists(Secrets));
    }

    private string WriteWithAge(string value)
    {
        var path = Path.Combine(_root, "by-age.age");
        File.WriteAllBytes(path, AgeTool.Run("age", Encoding.UTF8.GetBytes(value), "-R", Path.Combine(Secrets, "recipients.txt")));
        return path;
    }

    private static void AssertNoPlaintextUnder(string root)
    {
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            Assert.False(File.ReadAllText(file).Contains(Marker, StringComparison.Ordinal), $"{file} holds the plaintext");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
