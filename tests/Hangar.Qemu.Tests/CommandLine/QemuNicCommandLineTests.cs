namespace Hangar.Qemu.Tests.CommandLine;

/// <summary>Golden command lines of declared NICs (user-mode and taps, with MACs) and of vsock, and the checks on them.</summary>
public sealed class QemuNicCommandLineTests
{
    private static readonly QemuVmConfig Minimal = CommandLineGolden.Minimal;

    [Fact]
    public void Build_UserAndTapNics_GivesEachItsNetdevAndMacInOrderAndForwardsToTheUserOne() =>
        AssertGolden("nics", Minimal with
        {
            Nics = [new QemuNic("net0", "52:54:00:aa:bb:01"), new QemuNic("net1", "52:54:00:aa:bb:02", "hg0123456789n1")],
            Forwards = [new QemuPortForward("tcp", "127.0.0.1", 2223, 22)],
        });

    [Fact]
    public void Build_OnlyTapNics_HasNoUserModeNetwork()
    {
        var args = QemuCommandLine.Build(Minimal with { Nics = [new QemuNic("net0", "52:54:00:aa:bb:01", "hgtap0")] });

        Assert.Contains("tap,id=net0,ifname=hgtap0,script=no,downscript=no", args);
        Assert.DoesNotContain(args, a => a.StartsWith("user,", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_VsockCid_AddsAVhostVsockDeviceWithThatCid() =>
        Assert.Contains("vhost-vsock-pci,id=vsock0,guest-cid=42", QemuCommandLine.Build(Minimal with { VsockCid = 42 }));

    [Theory]
    [InlineData("bad-mac", null, "Nics[0].Mac is 'bad-mac'")]
    [InlineData("52:54:00:aa:bb:01", "a-tap-name-over-15", "Nics[0].Tap is 'a-tap-name-over-15'")]
    [InlineData("52:54:00:aa:bb:01", "tap,0", "Nics[0].Tap is 'tap,0'")]
    public void Build_NicQemuCannotTake_ThrowsNamingIt(string mac, string? tap, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Nics = [new QemuNic("net0", mac, tap)] }));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Build_TwoUserNicsOrForwardsWithoutOne_ThrowsNamingIt()
    {
        var two = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Nics = [new QemuNic("a", null), new QemuNic("b", null)] }));
        var noUser = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with
        {
            Nics = [new QemuNic("a", null, "hgtap0")],
            Forwards = [new QemuPortForward("tcp", "127.0.0.1", 8080, 80)],
        }));

        Assert.Contains("More than one NIC is on the user-mode network", two.Message);
        Assert.Contains("Forwards need a NIC on the user-mode network", noUser.Message);
    }

    [Theory]
    [InlineData(2L)]
    [InlineData(4294967295L)]
    public void Build_VsockCidReservedOrAny_ThrowsNamingIt(long cid)
    {
        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { VsockCid = cid }));

        Assert.Contains($"VsockCid is {cid}", error.Message);
    }

    private static void AssertGolden(string name, QemuVmConfig config) => CommandLineGolden.Assert(name, config);
}
