using System.Diagnostics;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu.Tests.Processes;

public sealed class QemuProcessIdentityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void Parse_CommandNameWithSpacesAndParentheses_ReadsFieldsAfterTheLastParenthesis()
    {
        const string stat = "4242 (qemu (x) 1) S 1 4241 4241 0 -1 4194624 1 0 0 0 5 3 0 0 20 0 3 0 987654321 1 2 3";

        var parsed = ProcStat.Parse(stat);

        Assert.Equal(new ProcStat('S', 987654321UL), parsed);
    }

    [Fact]
    public void Parse_Zombie_IsExited()
    {
        Assert.True(ProcStat.Parse("7 (qemu) Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 55 0 0")!.Value.IsExited);
    }

    [Fact]
    public void Read_CurrentProcess_IsAlive()
    {
        var identity = QemuProcessIdentity.Read(Environment.ProcessId);

        Assert.NotNull(identity);
        Assert.True(identity.IsAlive());
    }

    [Fact]
    public void IsAlive_SamePidOtherStartTime_IsFalse()
    {
        var identity = QemuProcessIdentity.Read(Environment.ProcessId)!;

        Assert.False((identity with { StartTime = identity.StartTime + 1 }).IsAlive());
    }

    [Fact]
    public void Read_NoSuchPid_ReturnsNull()
    {
        Assert.Null(QemuProcessIdentity.Read(0x3FFFFFFF));
    }

    [Fact]
    public async Task Kill_RunningProcess_EndsItAndASecondKillReportsGone()
    {
        using var sleep = Process.Start("sleep", "60");
        var identity = QemuProcessIdentity.Read(sleep.Id)!;

        Assert.True(identity.Kill());
        await sleep.WaitForExitAsync().WaitAsync(Wait);

        Assert.False(identity.IsAlive());
        Assert.False(identity.Kill());
        Assert.Equal(128 + 9, sleep.ExitCode);
    }

    [Fact]
    public async Task Terminate_RunningProcess_SendsSigterm()
    {
        using var sleep = Process.Start("sleep", "60");
        var identity = QemuProcessIdentity.Read(sleep.Id)!;

        Assert.True(identity.Terminate());
        await sleep.WaitForExitAsync().WaitAsync(Wait);

        Assert.Equal(128 + 15, sleep.ExitCode);
    }
}
