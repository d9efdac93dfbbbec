namespace Hangar.Spec.Tests;

/// <summary>The <c>guest</c> mapping of a VM: what its cloud-init seed tells the guest.</summary>
public sealed class FleetParserGuestTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILkpqTdo8cOjTgf0amiXj8C3CEA5gkYSPuc+APKIm3NI ops@laptop";
    private const string Hash = "$6$rounds=4096$saltsalt$3MEaFIc6d0tLsNB.bZm9L7ehbAgmR6dNmvKsWRO2U/V3Ku3uL2f4gmfmyE/lkqHgYqvj5XqU3Av0JCcYq/Go8/";

    [Fact]
    public void Parse_FullGuest_ReadsEveryField()
    {
        var vm = Fleet.Valid($$"""
            vms:
              deb1:
                image: debian-12
                memory: 1GiB
                guest:
                  hostname: web-1
                  users:
                    - name: ops
                      sshAuthorizedKeys: ["{{Key}}"]
                      sudo: true
                    - name: app
                  rootPassword: '{{Hash}}'
                  packages: [curl, "nginx=1.22.1-9"]
                  writeFiles:
                    - {path: /etc/motd, content: "hello\n", permissions: "0644"}
                    - {path: /etc/empty, content: ""}
                  runcmd: ["touch /tmp/done"]
                  timezone: Europe/Paris
            """).Vms[0];

        Assert.Equal(new GuestSpec("web-1",
            new([new GuestUser("ops", new([Key]), true), new GuestUser("app", ValueList<string>.Empty, false)]),
            Hash, new(["curl", "nginx=1.22.1-9"]),
            new([new GuestFile("/etc/motd", "hello\n", "0644"), new GuestFile("/etc/empty", "", null)]),
            new(["touch /tmp/done"]), "Europe/Paris"), vm.Guest);
    }

    [Fact]
    public void Parse_GuestWithoutHostname_UsesTheVmName()
    {
        var vm = Fleet.Valid("vms:\n  deb1:\n    image: debian-12\n    guest: {}\n").Vms[0];

        Assert.Equal(GuestSpec.Default("deb1"), vm.Guest);
    }

    [Fact]
    public void Parse_NoGuest_IsNull()
    {
        Assert.Null(Fleet.Valid("vms:\n  deb1: { image: debian-12 }\n").Vms[0].Guest);
    }

    [Fact]
    public void Parse_PlainRootPassword_IsAnErrorAtItsValueThatDoesNotRepeatIt()
    {
        var error = Fleet.SingleError("""
            vms:
              deb1:
                image: debian-12
                guest:
                  rootPassword: hunter2
            """);

        Assert.Equal("fleet.yaml:5:21: vms.deb1.guest.rootPassword", $"{error.File}:{error.Line}:{error.Column}: {error.Path}");
        Assert.StartsWith("'rootPassword' takes a password hash, not a password", error.Message);
        Assert.Contains("mkpasswd -m sha-512", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Theory]
    [InlineData("hostname: Web_1", 5, 17, "vms.deb1.guest.hostname", "'Web_1' is not a hostname")]
    [InlineData("users: [{name: Ops}]", 5, 22, "vms.deb1.guest.users[0].name", "'Ops' is not a user name")]
    [InlineData("users: [{name: root}]", 5, 22, "vms.deb1.guest.users[0].name", "'root' is already a user of every guest")]
    [InlineData("users: [{sudo: true}]", 5, 15, "vms.deb1.guest.users[0].name", "Missing required field 'name'")]
    [InlineData("users: [{name: a, sshAuthorizedKeys: [nope]}]", 5, 45, "vms.deb1.guest.users[0].sshAuthorizedKeys[0]", "Not an SSH public key")]
    [InlineData("users: [{name: a, sshAuthorizedKeys: ['-----BEGIN OPENSSH PRIVATE KEY-----']}]", 5, 45, "vms.deb1.guest.users[0].sshAuthorizedKeys[0]", "this is a private key")]
    [InlineData("users: [{name: a, sudo: yes}]", 5, 31, "vms.deb1.guest.users[0].sudo", "Expected true or false")]
    [InlineData("packages: [Curl]", 5, 18, "vms.deb1.guest.packages[0]", "'Curl' is not a Debian package name")]
    [InlineData("writeFiles: [{path: etc/motd, content: x}]", 5, 27, "vms.deb1.guest.writeFiles[0].path", "'etc/motd' is not an absolute path")]
    [InlineData("writeFiles: [{path: /etc/motd}]", 5, 20, "vms.deb1.guest.writeFiles[0].content", "Missing required field 'content'")]
    [InlineData("writeFiles: [{path: /a, content: x, permissions: rw}]", 5, 56, "vms.deb1.guest.writeFiles[0].permissions", "'rw' is not a file mode")]
    [InlineData("runcmd: echo hi", 5, 15, "vms.deb1.guest.runcmd", "Expected a list of shell commands")]
    [InlineData("timezone: 'Europe Paris'", 5, 17, "vms.deb1.guest.timezone", "'Europe Paris' is not a timezone name")]
    [InlineData("hostnme: a", 5, 7, "vms.deb1.guest.hostnme", "Unknown field 'hostnme'; did you mean 'hostname'?")]
    public void Parse_BadGuestField_NamesTheFieldAndWhatIsValid(string line, int row, int column, string path, string message)
    {
        var error = Fleet.SingleError($"vms:\n  deb1:\n    image: debian-12\n    guest:\n      {line}\n");

        Assert.Equal((row, column, path), (error.Line, error.Column, error.Path));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_DuplicateUser_PointsAtTheFirst()
    {
        var error = Fleet.SingleError("vms:\n  deb1:\n    image: debian-12\n    guest:\n      users: [{name: a}, {name: a}]\n");

        Assert.Equal("vms.deb1.guest.users[1].name", error.Path);
        Assert.Equal("User 'a' is already listed at vms.deb1.guest.users[0].name", error.Message);
    }

    [Fact]
    public void Parse_GuestWithTiny_IsAnErrorNamingDebian12()
    {
        var error = Fleet.SingleError("vms:\n  web:\n    image: tiny\n    guest: {hostname: web}\n");

        Assert.Equal((4, 12, "vms.web.guest"), (error.Line, error.Column, error.Path));
        Assert.Contains("use image 'debian-12'", error.Message);
    }

    [Fact]
    public void Parse_Debian12BelowItsMemoryFloor_IsAnError()
    {
        var error = Fleet.SingleError("vms:\n  deb1:\n    image: debian-12\n    memory: 128MiB\n");

        Assert.Equal("vms.deb1.memory", error.Path);
        Assert.Contains("at least 256MiB", error.Message);
    }

    [Fact]
    public void Compare_GuestChanged_IsAnUpdateThatTakesEffectAtTheNextBoot()
    {
        var before = Fleet.Valid("vms:\n  deb1:\n    image: debian-12\n    guest: {users: [{name: ops}]}\n");
        var after = Fleet.Valid("vms:\n  deb1:\n    image: debian-12\n    guest: {users: [{name: ops, sudo: true}]}\n");

        var change = Assert.Single(FleetDiff.Compare(before, after));

        Assert.Equal(VmChangeKind.Update, change.Kind);
        var field = Assert.Single(change.Fields);
        Assert.Equal("guest", field.Field);
        Assert.False(field.NeedsRestart);
        Assert.StartsWith("hostname deb1; users ops (0 keys) (seed ", field.Old);
        Assert.StartsWith("hostname deb1; users ops (sudo, 0 keys) (seed ", field.New);
        Assert.Equal(GuestText.ChangeEffect, field.Effect);
    }

    [Fact]
    public void Compare_OnlyAFilesContentChanged_ShowsAChange()
    {
        var before = Fleet.Valid("vms:\n  deb1:\n    image: debian-12\n    guest: {writeFiles: [{path: /a, content: x}]}\n");
        var after = Fleet.Valid("vms:\n  deb1:\n    image: debian-12\n    guest: {writeFiles: [{path: /a, content: y}]}\n");

        var field = Assert.Single(Assert.Single(FleetDiff.Compare(before, after)).Fields);

        Assert.NotEqual(field.Old, field.New);
    }

    [Fact]
    public void Compare_NewVmWithGuest_ListsTheGuestWithoutTheRootPasswordHash()
    {
        var next = Fleet.Valid($"vms:\n  deb1:\n    image: debian-12\n    guest: {{rootPassword: '{Hash}'}}\n");

        var field = Assert.Single(FleetDiff.Compare(null, next)[0].Fields, f => f.Field == "guest");

        Assert.StartsWith("hostname deb1; root password set (seed ", field.New);
        Assert.DoesNotContain(Hash, field.New);
    }
}
