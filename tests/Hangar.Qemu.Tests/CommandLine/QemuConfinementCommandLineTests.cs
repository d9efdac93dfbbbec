namespace Hangar.Qemu.Tests.CommandLine;

/// <summary>The confinement on the command line (<c>-sandbox</c>, <c>-runas</c>), and the hash form that leaves it out.</summary>
public sealed class QemuConfinementCommandLineTests
{
    private static readonly QemuVmConfig Minimal = CommandLineGolden.Minimal;

    [Fact]
    public void Build_RunAs_SandboxAllowsOnlyTheSetuidOfRunasAndDropsToUidAndGid() =>
        CommandLineGolden.Assert("runas", Minimal with { Confinement = QemuConfinement.RunAs(1879048192, 1879048192) });

    [Fact]
    public void Build_Default_IsSandboxedWithEverythingDenied_InTheForeground()
    {
        var args = QemuCommandLine.Build(Minimal);
        Assert.Equal("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", args[args.ToList().IndexOf("-sandbox") + 1]);
        Assert.DoesNotContain("-daemonize", args);
        Assert.DoesNotContain("-runas", args);
    }

    [Fact]
    public void Build_None_HasNoSandbox() =>
        Assert.DoesNotContain("-sandbox", QemuCommandLine.Build(Minimal with { Confinement = QemuConfinement.None }));

    [Fact]
    public void HashForm_IsTheDaemonizedCommandLineOfBefore_WhateverTheConfinement()
    {
        // Golden/hash-form.txt is minimal-tcg.txt as it was before QEMU was confined: how an earlier agent hashed it.
        var before = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "hash-form.txt")).TrimEnd('\n').Split('\n');
        Assert.Equal(before, QemuCommandLine.HashForm(Minimal));
        Assert.Equal(before, QemuCommandLine.HashForm(Minimal with { Confinement = QemuConfinement.RunAs(5000, 5000) }));
        Assert.Equal(before, QemuCommandLine.HashForm(Minimal with { Confinement = QemuConfinement.None }));
    }

    [Theory]
    [InlineData(0, 0, "Confinement.Uid is 0")]
    [InlineData(-3, 5, "Confinement.Uid is -3")]
    [InlineData(5, 0, "Confinement.Gid is 0")]
    public void Build_RootOrNegativeIds_ThrowNamingThem(int uid, int gid, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Confinement = QemuConfinement.RunAs(uid, gid) }));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Build_UidWithoutGid_Throws() =>
        Assert.Contains("both Uid and Gid", Assert.Throws<ArgumentException>(() => QemuCommandLine.Build(Minimal with { Confinement = new QemuConfinement(true, 5) })).Message);
}
