using System.Text.Json;

namespace Hangar.Spec.Tests;

/// <summary>A VM's <c>identity</c>: a stable SSH host key from secrets/identities beside the fleet file.</summary>
public sealed class FleetParserIdentityTests
{
    private const string PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB+D1tafNZMN4G2HBMseYgEYLXrJ/bwZkv3SzPAllTnN";
    private static readonly string AgeFile = Convert.ToBase64String("age-encryption.org/v1\n-> X25519 abc\nxyz\n--- mac\n\u0001\u0002"u8.ToArray());
    private static readonly VmIdentity Key = new(PublicKey) { Ciphertext = AgeFile };

    private static SpecResult Parse(string text, IReadOnlyDictionary<string, VmIdentity>? identities) =>
        FleetParser.Parse(text, Fleet.FileName, Path.GetTempPath(), null, ImageFileCheck.NotChecked, SecretSource.FromCiphertexts(null, identities));

    private static VmSpec Vm(string text, IReadOnlyDictionary<string, VmIdentity>? identities = null)
    {
        var result = Parse(text, identities);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!.Vms[0];
    }

    [Fact]
    public void Parse_DebianVmWithAKey_CarriesTheKeyAndItsCiphertext() =>
        Assert.Equal(Key, Vm("vms:\n  web: {image: debian-12}\n", new Dictionary<string, VmIdentity> { ["web"] = Key }).Identity);

    [Fact]
    public void Parse_DebianVmWithoutAKeyYet_HasAPendingIdentity()
    {
        var identity = Vm("vms:\n  web: {image: debian-12}\n").Identity;

        Assert.NotNull(identity);
        Assert.True(identity.IsPending);
        Assert.Equal("a new ssh-ed25519 key, made at apply", CredentialText.Of(identity));
    }

    [Fact]
    public void Parse_TinyVm_HasNoIdentityUnlessAskedAndThenHasOne()
    {
        var keys = new Dictionary<string, VmIdentity> { ["web"] = Key };
        Assert.Null(Vm("vms:\n  web: {image: tiny}\n", keys).Identity);
        Assert.Equal(Key, Vm("vms:\n  web: {image: tiny, identity: true}\n", keys).Identity);
    }

    [Fact]
    public void Parse_DebianVmWithIdentityFalse_HasNone() =>
        Assert.Null(Vm("vms:\n  web: {image: debian-12, identity: false}\n", new Dictionary<string, VmIdentity> { ["web"] = Key }).Identity);

    [Fact]
    public void Parse_IdentityNotABoolean_IsAnErrorAtTheField()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n    identity: sometimes\n");

        Assert.Equal((4, 15), (error.Line, error.Column));
        Assert.Equal("vms.web.identity", error.Path);
    }

    [Fact]
    public void Parse_PublicKeyThatIsNoEd25519Key_IsAnErrorNamingTheFile()
    {
        var bad = new Dictionary<string, VmIdentity> { ["web"] = new VmIdentity("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ") { Ciphertext = AgeFile } };

        var result = Parse("vms:\n  web:\n    image: tiny\n    identity: true\n", bad);

        var error = Assert.Single(result.Errors);
        Assert.Equal((4, 15), (error.Line, error.Column));
        Assert.Contains("The host key of VM 'web'", error.Message);
        Assert.Contains("ssh-ed25519", error.Message);
    }

    [Fact]
    public void Parse_CiphertextThatIsNoAgeFile_IsAnError()
    {
        var bad = new Dictionary<string, VmIdentity> { ["web"] = Key with { Ciphertext = Convert.ToBase64String("-----BEGIN OPENSSH PRIVATE KEY-----\n"u8.ToArray()) } };

        var error = Assert.Single(Parse("vms:\n  web: {image: debian-12}\n", bad).Errors);

        Assert.Contains("is not an age file", error.Message);
    }

    [Fact]
    public void Parse_TwelveFileCredentialsAndAHostKey_IsAnErrorThatOffersIdentityFalse()
    {
        var credentials = string.Join("", Enumerable.Range(0, SpecLimits.MaxFwCfgCredentials).Select(i => $"      c{i}: {{file: /etc/c{i}}}\n"));

        var error = Assert.Single(Parse($"vms:\n  web:\n    image: debian-12\n    credentials:\n{credentials}", null).Errors);

        Assert.Equal("vms.web.credentials", error.Path);
        Assert.Contains("identity: false", error.Message);
    }

    [Fact]
    public void Parse_CredentialNamedLikeHangarsOwn_IsAnError()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n    credentials:\n      hangar.ssh-host-key: {value: x}\n");

        Assert.Equal((5, 7), (error.Line, error.Column));
        Assert.Contains("are Hangar's own", error.Message);
    }

    [Fact]
    public void ParseFile_KeyFilesBesideTheFleetFile_AreRead()
    {
        using var dir = new TempDirectory();
        dir.Write("secrets/identities/web.pub", PublicKey + " web\n");
        File.WriteAllBytes(Path.Combine(dir.Path, "secrets/identities/web.age"), Convert.FromBase64String(AgeFile));
        var file = dir.Write("fleet.yaml", "vms:\n  web: {image: debian-12}\n");

        var result = FleetParser.ParseFile(file);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(Key, result.Spec!.Vms[0].Identity);
    }

    [Fact]
    public void ParseFile_PublicKeyWithoutItsPrivateKey_IsAnErrorSayingWhatToDo()
    {
        using var dir = new TempDirectory();
        dir.Write("secrets/identities/web.pub", PublicKey + " web\n");
        var file = dir.Write("fleet.yaml", "vms:\n  web: {image: debian-12}\n");

        var error = Assert.Single(FleetParser.ParseFile(file).Errors);

        Assert.Contains("secrets/identities/web.pub has no .age beside it", error.Message);
    }

    [Fact]
    public void Diff_KeyMadeThenRekeyed_ShowsEachAsARestartingChange()
    {
        var pending = Fleet.Valid("vms:\n  web: {image: debian-12}\n");
        var made = Parse("vms:\n  web: {image: debian-12}\n", new Dictionary<string, VmIdentity> { ["web"] = Key }).Spec!;
        var rekeyed = Parse("vms:\n  web: {image: debian-12}\n",
            new Dictionary<string, VmIdentity> { ["web"] = Key with { Ciphertext = Convert.ToBase64String("age-encryption.org/v1\nother"u8.ToArray()) } }).Spec!;

        var first = Assert.Single(Assert.Single(FleetDiff.Compare(pending, made)).Fields, f => f.Field == "identity");
        var second = Assert.Single(Assert.Single(FleetDiff.Compare(made, rekeyed)).Fields, f => f.Field == "identity");

        Assert.Equal(("identity", true), (first.Field, first.NeedsRestart));
        Assert.StartsWith("ssh-ed25519 SHA256:DQnBydU1c2QRjpfk3aK2BBhoCl7HwWDo+JfXjeF6j1o (ciphertext ", first.New);
        Assert.NotEqual(second.Old, second.New);
        Assert.True(second.NeedsRestart);
    }

    [Fact]
    public void Fingerprint_IsWhatSshKeygenPrintsForTheKey() =>
        // ssh-keygen -l -E sha256 -f (a file with PublicKey)
        Assert.Equal("SHA256:DQnBydU1c2QRjpfk3aK2BBhoCl7HwWDo+JfXjeF6j1o", Key.Fingerprint);

    [Fact]
    public void Deserialize_StoredVmWithoutIdentity_HasNoneAndWritesTheSameBytes()
    {
        var spec = Fleet.Valid("vms:\n  web: {image: tiny}\n");
        var json = FleetJson.Serialize(spec);

        Assert.DoesNotContain("identity", json, StringComparison.OrdinalIgnoreCase);
        Assert.Null(FleetJson.Deserialize(json).Vms[0].Identity);
    }

    [Fact]
    public void Serialize_VmWithAKey_RoundTrips()
    {
        var spec = Parse("vms:\n  web: {image: debian-12}\n", new Dictionary<string, VmIdentity> { ["web"] = Key }).Spec!;

        Assert.Equal(Key, FleetJson.Deserialize(FleetJson.Serialize(spec)).Vms[0].Identity);
    }
}
