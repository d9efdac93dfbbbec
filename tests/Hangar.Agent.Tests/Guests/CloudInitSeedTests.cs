using System.Text;
using Hangar.Agent.Guests;
using Hangar.Processes;
using Hangar.Spec;
using YamlDotNet.RepresentationModel;

namespace Hangar.Agent.Tests.Guests;

/// <summary>The seed's files, read back with a YAML parser as cloud-init reads them, and the volume genisoimage writes.</summary>
public sealed class CloudInitSeedTests
{
    private static readonly GuestSpec Full = new("web-1",
        new ValueList<GuestUser>([new GuestUser("ops", new ValueList<string>(["ssh-ed25519 AAAA ops@laptop: \"quoted\" # not a comment"]), true),
            new GuestUser("app", ValueList<string>.Empty, false)]),
        "$6$salt$hash", new ValueList<string>(["curl"]),
        new ValueList<GuestFile>([new GuestFile("/etc/motd", "line one\n{not: yaml}\n", "644")]),
        new ValueList<string>(["echo 'a: b' > /tmp/x"]), "Europe/Paris");

    private static YamlMappingNode UserData(CloudInitSeed seed)
    {
        Assert.StartsWith("#cloud-config\n", seed.UserData);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(seed.UserData));
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static string Scalar(YamlNode node, params object[] path)
    {
        foreach (var step in path)
            node = step is int i ? ((YamlSequenceNode)node).Children[i] : ((YamlMappingNode)node).Children[new YamlScalarNode((string)step)];
        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public void For_FullGuest_UserDataReadsBackAsEveryValueWritten()
    {
        var data = UserData(CloudInitSeed.For("deb1", Full));

        Assert.Equal("web-1", Scalar(data, "hostname"));
        Assert.Equal("ops", Scalar(data, "users", 0, "name"));
        Assert.Equal(Full.Users[0].SshAuthorizedKeys[0], Scalar(data, "users", 0, "ssh_authorized_keys", 0));
        Assert.Equal("ALL=(ALL) NOPASSWD:ALL", Scalar(data, "users", 0, "sudo"));
        Assert.False(((YamlMappingNode)((YamlSequenceNode)data["users"]).Children[1]).Children.ContainsKey(new YamlScalarNode("sudo")));
        Assert.Equal("$6$salt$hash", Scalar(data, "chpasswd", "users", 0, "password"));
        Assert.Equal("hash", Scalar(data, "chpasswd", "users", 0, "type"));
        Assert.Equal("Europe/Paris", Scalar(data, "timezone"));
        Assert.Equal("curl", Scalar(data, "packages", 0));
        Assert.Equal("/etc/motd", Scalar(data, "write_files", 0, "path"));
        Assert.Equal("0644", Scalar(data, "write_files", 0, "permissions"));
        Assert.Equal(Full.WriteFiles[0].Content, Encoding.UTF8.GetString(Convert.FromBase64String(Scalar(data, "write_files", 0, "content"))));
        Assert.Equal("echo 'a: b' > /tmp/x", Scalar(data, "runcmd", 0));
    }

    [Fact]
    public void For_NoGuest_NamesTheGuestAfterTheVmAndCreatesNoUser()
    {
        var seed = CloudInitSeed.For("deb1", null);
        var data = UserData(seed);

        Assert.Equal("deb1", Scalar(data, "hostname"));
        Assert.Empty(((YamlSequenceNode)data["users"]).Children);
        Assert.Contains("local-hostname: deb1\n", seed.MetaData);
    }

    [Fact]
    public void For_ChangedGuest_HasANewInstanceId_SameGuestTheSame()
    {
        static string Instance(CloudInitSeed seed) => seed.MetaData.Split('\n')[0];

        Assert.Equal(Instance(CloudInitSeed.For("deb1", Full)), Instance(CloudInitSeed.For("deb1", Full)));
        Assert.NotEqual(Instance(CloudInitSeed.For("deb1", Full)), Instance(CloudInitSeed.For("deb1", Full with { Timezone = "UTC" })));
        Assert.StartsWith("instance-id: deb1-", Instance(CloudInitSeed.For("deb1", Full)));
    }

    [Fact]
    public async Task WriteAsync_Seed_IsAnIso9660VolumeLabelledCidataHoldingBothFiles()
    {
        var dir = Directory.CreateTempSubdirectory("hangar-seed-test-").FullName;
        try
        {
            var seed = CloudInitSeed.For("deb1", Full);
            var path = Path.Combine(dir, "seed.iso");

            await new SeedImageWriter().WriteAsync(seed, path, CancellationToken.None);

            var info = await ProcessRunner.Instance.RunAsync("isoinfo", ["-d", "-i", path], null, CancellationToken.None);
            Assert.Contains("Volume id: cidata", info.StandardOutput);
            var userData = await ProcessRunner.Instance.RunAsync("isoinfo", ["-R", "-i", path, "-x", "/user-data"], null, CancellationToken.None);
            Assert.Equal(seed.UserData, userData.StandardOutput);
            var metaData = await ProcessRunner.Instance.RunAsync("isoinfo", ["-R", "-i", path, "-x", "/meta-data"], null, CancellationToken.None);
            Assert.Equal(seed.MetaData, metaData.StandardOutput);
            Assert.False(File.Exists(path + ".new"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void WithHostKey_UserDataHasTheKeyPairForSshKeysAndTheInstanceChangesWithTheKeyOnly()
    {
        const string Private = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n";
        var plain = CloudInitSeed.For("deb1", Full);
        var keyed = CloudInitSeed.For("deb1", Full, "ssh-ed25519 AAAAone");

        var data = UserData(keyed.WithHostKey(Private, "ssh-ed25519 AAAAone root@deb1"));

        Assert.Equal(Private, Scalar(data, "ssh_keys", "ed25519_private"));
        Assert.Equal("ssh-ed25519 AAAAone root@deb1", Scalar(data, "ssh_keys", "ed25519_public"));
        Assert.Equal("true", Scalar(data, "ssh_deletekeys"));
        Assert.DoesNotContain("ssh_keys", keyed.UserData, StringComparison.Ordinal); // until the key is staged
        Assert.NotEqual(plain.MetaData, keyed.MetaData);
        Assert.Equal(keyed.MetaData, CloudInitSeed.For("deb1", Full, "ssh-ed25519 AAAAone").MetaData);
        Assert.NotEqual(keyed.MetaData, CloudInitSeed.For("deb1", Full, "ssh-ed25519 AAAAtwo").MetaData);
    }

    [Fact]
    public void For_Interfaces_NetworkConfigMatchesEachNicByMacAndANewAddressIsANewInstance()
    {
        NetworkInterfaceSpec[] nics =
        [
            new(InterfaceType.User, null, "52:54:00:aa:bb:01", null),
            new(InterfaceType.Bridge, "hgbr0", "52:54:00:aa:bb:02", "10.0.0.2/24"),
            new(InterfaceType.Bridge, "lan", "52:54:00:aa:bb:03", NetworkInterfaceSpec.Dhcp),
            new(InterfaceType.Bridge, "quiet", "52:54:00:aa:bb:04", null),
        ];

        var seed = CloudInitSeed.For("web", null, null, nics);
        using var config = System.Text.Json.JsonDocument.Parse(seed.NetworkConfig!);
        var ethernets = config.RootElement.GetProperty("ethernets");

        Assert.Equal(2, config.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(["52:54:00:aa:bb:01", "52:54:00:aa:bb:02", "52:54:00:aa:bb:03", "52:54:00:aa:bb:04"],
            ethernets.EnumerateObject().Select(e => e.Value.GetProperty("match").GetProperty("macaddress").GetString()));
        Assert.True(ethernets.GetProperty("nic0").GetProperty("dhcp4").GetBoolean());
        Assert.Equal("10.0.0.2/24", ethernets.GetProperty("nic1").GetProperty("addresses")[0].GetString());
        Assert.True(ethernets.GetProperty("nic2").GetProperty("dhcp4").GetBoolean());
        Assert.False(ethernets.GetProperty("nic3").TryGetProperty("dhcp4", out _));
        Assert.Null(CloudInitSeed.For("web", null).NetworkConfig);
        var moved = CloudInitSeed.For("web", null, null, [nics[0], nics[1] with { Address = "10.0.0.3/24" }, nics[2], nics[3]]);
        Assert.NotEqual(seed.MetaData, moved.MetaData);
    }

    [Fact]
    public void For_SharesWithMountPoints_MountsEachAtEveryBootAndANewShareIsANewInstance()
    {
        ShareSpec[] shares = [new("data", "/srv/data", "/mnt/data", false), new("docs", "/srv/docs", "/mnt/docs", true), new("bare", "/srv/bare", null, false)];

        var seed = CloudInitSeed.For("web", null, null, null, shares);
        var bootcmd = (YamlSequenceNode)UserData(seed).Children[new YamlScalarNode("bootcmd")];

        Assert.Equal(2, bootcmd.Children.Count); // a share without a mount point is the guest's to mount
        Assert.Equal("sh", Scalar(bootcmd, 0, 0));
        Assert.Equal("mkdir -p '/mnt/data' && (mountpoint -q '/mnt/data' || mount -t virtiofs -o rw 'data' '/mnt/data')", Scalar(bootcmd, 0, 2));
        Assert.Equal("mkdir -p '/mnt/docs' && (mountpoint -q '/mnt/docs' || mount -t virtiofs -o ro 'docs' '/mnt/docs')", Scalar(bootcmd, 1, 2));
        Assert.NotEqual(CloudInitSeed.For("web", null).MetaData, seed.MetaData);
        Assert.Equal(CloudInitSeed.For("web", null).MetaData, CloudInitSeed.For("web", null, null, null, [shares[2]]).MetaData);
        // The host key's seed is written again from the same parts: the mounts stay.
        Assert.Contains("bootcmd", seed.WithHostKey("PRIVATE", "ssh-ed25519 AAAA root@web").UserData);
    }
}
