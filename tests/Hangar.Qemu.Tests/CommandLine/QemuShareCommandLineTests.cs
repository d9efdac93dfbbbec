namespace Hangar.Qemu.Tests.CommandLine;

/// <summary>Golden command lines of virtiofs shares (with the shared memory they need) and of the balloon, and their checks.</summary>
public sealed class QemuShareCommandLineTests
{
    private static readonly QemuVmConfig Minimal = CommandLineGolden.Minimal;

    [Fact]
    public void Build_SharesAndBalloon_GivesSharedMemfdMemoryOneVhostUserFsDeviceEachAndABalloon() =>
        CommandLineGolden.Assert("shares", Minimal with
        {
            Shares = [new QemuShare("fs0", "data", "/run/hangar/web/fs0.sock", "/srv/data"), new QemuShare("fs1", "docs", "/run/hangar/web/fs1.sock", "/srv/docs", ReadOnly: true)],
            Balloon = true,
        });

    [Fact]
    public void Build_NoShares_KeepsAnonymousMemoryAndNoBalloon()
    {
        var args = QemuCommandLine.Build(Minimal);
        Assert.Contains("pc,accel=tcg", args);
        Assert.DoesNotContain(args, a => a.Contains("memory-backend", StringComparison.Ordinal) || a.Contains("balloon", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "Shares[0].Tag is ''")]
    [InlineData("a,b", "Shares[0].Tag is 'a,b'")]
    [InlineData("a-tag-that-is-longer-than-thirty-six-bytes", "Shares[0].Tag is 'a-tag-that-is-longer-than-thirty-six-bytes'")]
    public void Build_BadTag_ThrowsNamingIt(string tag, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Shares = [new QemuShare("fs0", tag, "/run/s.sock")] }));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Build_TwoSharesWithOneTagOrId_ThrowsNamingIt()
    {
        var tags = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Shares = [new QemuShare("fs0", "a", "/s0"), new QemuShare("fs1", "a", "/s1")] }));
        Assert.Contains("Shares[1].Tag 'a' is used by another share", tags.Message);
        var ids = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Shares = [new QemuShare("fs0", "a", "/s0"), new QemuShare("fs0", "b", "/s1")] }));
        Assert.Contains("Shares[1].Id 'fs0' is used by another device", ids.Message);
    }
}
