using System.Text;

namespace Hangar.Spec.Tests;

/// <summary>A VM's <c>credentials</c>: systemd credentials from a secret, a value or a host file, and their limits.</summary>
public sealed class FleetParserCredentialTests
{
    /// <summary>An age file's header as far as the parser looks (it never decrypts).</summary>
    private static readonly string AgeFile = Convert.ToBase64String("age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n\u0001\u0002"u8.ToArray());

    private static SpecResult Parse(string text, IReadOnlyDictionary<string, string>? secrets) =>
        FleetParser.Parse(text, Fleet.FileName, Path.GetTempPath(), null, ImageFileCheck.NotChecked, SecretSource.FromCiphertexts(secrets));

    private static SpecError SingleError(string text, IReadOnlyDictionary<string, string>? secrets = null)
    {
        var result = Parse(text, secrets);
        Assert.Null(result.Spec);
        return Assert.Single(result.Errors);
    }

    [Fact]
    public void Parse_EveryKind_SortedByNameWithTheSecretsCiphertextAttached()
    {
        var result = Parse("""
            vms:
              web:
                image: tiny
                credentials:
                  motd: {value: "hello there"}
                  api-key: {secret: api-key}
                  HOST-CA: {file: /etc/ssl/ca.pem}
                  port: {value: 8080}
            """, new Dictionary<string, string> { ["api-key"] = AgeFile });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal<CredentialSpec>([
            new CredentialSpec("HOST-CA", CredentialKind.File, "/etc/ssl/ca.pem"),
            new CredentialSpec("api-key", CredentialKind.Secret, "api-key") { Ciphertext = AgeFile },
            new CredentialSpec("motd", CredentialKind.Value, "hello there"),
            new CredentialSpec("port", CredentialKind.Value, "8080"),
        ], result.Spec!.Vms[0].Credentials!.Value);
    }

    [Fact]
    public void Parse_NoCredentials_IsNullAndAnEmptyMappingToo()
    {
        Assert.Null(Fleet.Valid("vms:\n  web: {image: tiny}\n").Vms[0].Credentials);
        Assert.Null(Fleet.Valid("vms:\n  web: {image: tiny, credentials: {}}\n").Vms[0].Credentials);
    }

    [Fact]
    public void Parse_NameOf28Characters_IsTakenAnd29IsAnErrorThatSaysWhy()
    {
        var longest = new string('a', SpecLimits.MaxCredentialName);
        Assert.Equal(longest, Fleet.Valid($"vms:\n  web:\n    image: tiny\n    credentials:\n      {longest}: {{value: x}}\n").Vms[0].Credentials!.Value[0].Name);
        // The whole fw_cfg name, prefix included, is what QEMU limits.
        Assert.Equal(55, ("opt/io.systemd.credentials/" + longest).Length);

        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    credentials:\n      {longest}b: {{value: x}}\n");

        Assert.Equal((5, 7), (error.Line, error.Column));
        Assert.Equal($"vms.web.credentials.{longest}b", error.Path);
        Assert.Contains("29 characters; a credential's name may have at most 28", error.Message);
        Assert.Contains("fw_cfg names hold 55", error.Message);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("-x")]
    [InlineData(".hidden")]
    [InlineData("with space")]
    public void Parse_NameThatIsNoFileName_IsAnError(string name)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    credentials:\n      \"{name}\": {{value: x}}\n");

        Assert.Contains($"'{name}' is not a credential name", error.Message);
    }

    [Fact]
    public void Parse_SecretNotBesideTheFile_IsAnErrorAtTheSecretSayingHowToMakeIt()
    {
        using var dir = new TempDirectory();
        var text = "vms:\n  web:\n    image: tiny\n    credentials:\n      api-key: {secret: api-key}\n";
        var result = FleetParser.Parse(text, Fleet.FileName, dir.Path, null, ImageFileCheck.MustExist, SecretSource.Beside(dir.Path));

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, 25), (error.Line, error.Column));
        Assert.Equal("vms.web.credentials.api-key.secret", error.Path);
        Assert.Contains("there is no secrets/api-key.age beside the fleet file; make it with hangar secret set api-key", error.Message);
    }

    [Fact]
    public void Parse_SecretBesideTheFile_IsReadOnceForEveryVmThatNamesIt()
    {
        using var dir = new TempDirectory();
        var bytes = Convert.FromBase64String(AgeFile);
        Directory.CreateDirectory(Path.Combine(dir.Path, "secrets"));
        File.WriteAllBytes(Path.Combine(dir.Path, "secrets", "api-key.age"), bytes);
        var file = dir.Write("fleet.yaml", """
            vms:
              a: {image: tiny, credentials: {key: {secret: api-key}}}
              b: {image: tiny, credentials: {other-name: {secret: api-key}}}
            """);

        var result = FleetParser.ParseFile(file);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.All(result.Spec!.Vms, vm => Assert.Equal(AgeFile, vm.Credentials!.Value[0].Ciphertext));
    }

    [Fact]
    public void Parse_SecretThatIsNoAgeFile_IsAnError()
    {
        var error = SingleError("vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: api-key}\n",
            new Dictionary<string, string> { ["api-key"] = Convert.ToBase64String("the password itself"u8.ToArray()) });

        Assert.Contains("is not an age file", error.Message);
        Assert.DoesNotContain("the password itself", error.Message);
    }

    [Fact]
    public void Parse_ArmoredAgeFile_IsTaken()
    {
        var armored = Convert.ToBase64String("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n"u8.ToArray());
        var result = Parse("vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: api-key}\n",
            new Dictionary<string, string> { ["api-key"] = armored });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Parse_RequestWithoutTheSecretsCiphertext_IsAnErrorNamingIt()
    {
        var error = SingleError("vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: db-password}\n");

        Assert.Contains("the request carries no ciphertext for secret 'db-password'", error.Message);
    }

    [Theory]
    [InlineData("{}", "Give one of 'secret', 'value' and 'file' for credential 'k'")]
    [InlineData("{value: a, file: /etc/a}", "Give only one of 'secret', 'value' and 'file' for credential 'k'")]
    [InlineData("{file: etc/ca.pem}", "'etc/ca.pem' is not an absolute path; a file credential names a file on the VM's host")]
    [InlineData("{file: /etc/../root/key}", "is not an absolute path")]
    [InlineData("{secret: Api_Key}", "'Api_Key' is not a secret name")]
    [InlineData("{value: [a, b]}", "Expected the credential's text, found a list")]
    [InlineData("{valeu: x}", "valeu")]
    [InlineData("just-text", "Expected {secret: NAME}")]
    public void Parse_BadCredential_IsOneErrorThatSaysWhatIsWrong(string credential, string expected)
    {
        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    credentials:\n      k: {credential}\n");

        Assert.Contains(expected, error.Message);
        Assert.StartsWith("vms.web.credentials.k", error.Path);
    }

    [Fact]
    public void Parse_ValueOverTheSmbiosLimit_IsAnError()
    {
        var value = new string('x', SpecLimits.MaxCredentialValueBytes + 1);

        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    credentials:\n      k: {{value: {value}}}\n");

        Assert.Contains("4,097 bytes; at most 4,096 travel as an SMBIOS string", error.Message);
    }

    [Fact]
    public void Parse_MoreFwCfgCredentialsThanQemuHasSlotsFor_IsAnErrorButValuesAreNotCounted()
    {
        var files = string.Concat(Enumerable.Range(0, SpecLimits.MaxFwCfgCredentials).Select(i => $"      f{i}: {{file: /etc/f{i}}}\n"));
        var values = string.Concat(Enumerable.Range(0, 10).Select(i => $"      v{i}: {{value: x}}\n"));
        Fleet.Valid($"vms:\n  web:\n    image: tiny\n    credentials:\n{files}{values}");

        var error = Fleet.SingleError($"vms:\n  web:\n    image: tiny\n    credentials:\n{files}      one-more: {{file: /etc/x}}\n");

        Assert.Contains("13 secret and file credentials; a VM may have at most 12", error.Message);
    }

    [Fact]
    public void Parse_SecretsLargerThanTheLimitTogether_AreRefused()
    {
        var big = Convert.ToBase64String([.. "age-encryption.org/v1\n"u8, .. new byte[SpecLimits.MaxSecretBytes - 100]]);
        var names = Enumerable.Range(0, SpecLimits.MaxSecretsBytes / SpecLimits.MaxSecretBytes + 1).Select(i => $"s{i}").ToArray();
        var text = "vms:\n" + string.Concat(names.Select(n => $"  vm-{n}: {{image: tiny, credentials: {{k: {{secret: {n}}}}}}}\n"));

        var result = Parse(text, names.ToDictionary(n => n, _ => big));

        Assert.Contains(result.Errors, e => e.Message.Contains("hold more than 16,777,216 bytes together"));
    }

    [Fact]
    public void Stored_CredentialsRoundTripAndAVmWithoutThemWritesNoField()
    {
        var spec = Parse("vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: s}\n      v: {value: x}\n  plain: {image: tiny}\n",
            new Dictionary<string, string> { ["s"] = AgeFile }).Spec!;

        var json = FleetJson.Serialize(spec);

        Assert.Equal(spec, FleetJson.Deserialize(json));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(json, "\"credentials\""));
    }

    [Fact]
    public void Diff_NewCiphertext_IsAChangeThatRestartsAndShowsNoPlaintext()
    {
        var before = Parse("vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: s}\n", new Dictionary<string, string> { ["s"] = AgeFile }).Spec!;
        var other = Convert.ToBase64String(Encoding.ASCII.GetBytes("age-encryption.org/v1\n-> X25519 other\n"));
        var after = Parse("vms:\n  web:\n    image: tiny\n    credentials:\n      k: {secret: s}\n", new Dictionary<string, string> { ["s"] = other }).Spec!;

        var change = Assert.Single(FleetDiff.Compare(before, after, 1));
        var field = Assert.Single(change.Fields);

        Assert.Equal("credentials", field.Field);
        Assert.True(field.NeedsRestart);
        Assert.StartsWith("k (secret s, ciphertext ", field.Old);
        Assert.NotEqual(field.Old, field.New);
        Assert.Equal(VmChangeKind.Unchanged, Assert.Single(FleetDiff.Compare(before, before, 1)).Kind);
    }

    [Fact]
    public void Parse_SecretDecryptedByTheGuest_IsMarkedAndPlansSaySo()
    {
        var result = Parse("vms:\n  web:\n    image: tiny\n    credentials:\n      db: {secret: db, decrypt: guest}\n      api: {secret: db, decrypt: agent}\n",
            new Dictionary<string, string> { ["db"] = AgeFile });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var credentials = result.Spec!.Vms[0].Credentials!.Value;
        Assert.Equal([false, true], credentials.Select(c => c.DecryptInGuest));
        Assert.StartsWith("api (secret db, ciphertext ", CredentialText.Of(credentials));
        Assert.Contains("db (secret db, opened by the guest, ciphertext ", CredentialText.Of(credentials));
        Assert.True(FleetJson.Deserialize(FleetJson.Serialize(result.Spec)).Vms[0].Credentials!.Value[1].DecryptInGuest);
    }

    [Theory]
    [InlineData("{value: x, decrypt: guest}", "'decrypt' goes with a secret; credential 'c' has none")]
    [InlineData("{secret: db, decrypt: host}", "'host' is not who decrypts a secret; use 'agent'")]
    public void Parse_DecryptThatCannotBe_IsAnErrorAtIt(string entry, string message)
    {
        var error = SingleError($"vms:\n  web:\n    image: tiny\n    credentials:\n      c: {entry}\n", new Dictionary<string, string> { ["db"] = AgeFile });

        Assert.Equal("vms.web.credentials.c.decrypt", error.Path);
        Assert.Contains(message, error.Message);
    }
}
