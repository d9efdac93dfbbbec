namespace Hangar.Qemu.Tests.Processes;

public sealed class QemuProcessUsageTests
{
    // A QEMU's /proc/PID/stat whose command name holds a space and a ')': fields are counted after the last ')'.
    private const string Stat = "4242 (qemu-system-x86 (v)) S 1 4241 4241 0 -1 4194624 9000 0 12 0 250 75 0 0 20 0 5 0 123456 1000000000 25000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

    [Fact]
    public void Parse_StatAndStatus_AddsUserAndSystemTicksAndReadsVmRss()
    {
        var usage = QemuProcessUsage.Parse(Stat, "Name:\tqemu-system-x86\nVmPeak:\t  999 kB\nVmRSS:\t   51200 kB\nThreads:\t5\n", ticksPerSecond: 100);
        Assert.Equal(new QemuProcessUsage(3.25, 51200L * 1024), usage);
    }

    [Fact]
    public void Parse_NoVmRss_IsNull() =>
        Assert.Null(QemuProcessUsage.Parse(Stat, "Name:\tqemu\nState:\tZ (zombie)\n", 100));

    [Fact]
    public void Read_ThisProcess_HasCpuTimeAndMemory()
    {
        var usage = QemuProcessUsage.Read(Environment.ProcessId);
        Assert.NotNull(usage);
        Assert.True(usage.CpuSeconds > 0);
        Assert.True(usage.ResidentBytes > 1 << 20);
    }

    [Fact]
    public void Read_NoSuchProcess_IsNull() => Assert.Null(QemuProcessUsage.Read(int.MaxValue));
}
