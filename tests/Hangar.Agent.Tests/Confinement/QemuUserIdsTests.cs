using Hangar.Agent.Confinement;

namespace Hangar.Agent.Tests.Confinement;

public sealed class QemuUserIdsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("hangar-uids-");
    private string MapPath => Path.Combine(_dir.FullName, "agent", "qemu-uids.json");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void For_EachVmItsOwnIdFromTheRange_TheSameEverAfter_AlsoForANewAgentProcess()
    {
        var range = new QemuUserRange(5000, 10);
        var ids = new QemuUserIds(MapPath, range);
        Assert.Equal(5000, ids.For("web"));
        Assert.Equal(5001, ids.For("db"));
        Assert.Equal(5000, ids.For("web"));

        var again = new QemuUserIds(MapPath, range);
        Assert.Equal(5001, again.For("db"));
        Assert.Equal(5002, again.For("cache"));
    }

    [Fact]
    public void For_RangeExhausted_ErrorNamesTheRangeAndTheFlag()
    {
        var ids = new QemuUserIds(MapPath, new QemuUserRange(7000, 2));
        ids.For("a");
        ids.For("b");
        var error = Assert.Throws<InvalidOperationException>(() => ids.For("c"));
        Assert.Contains("All 2 QEMU user ids of the range 7000-7001 are taken", error.Message);
        Assert.Contains("--qemu-uids", error.Message);
    }

    [Fact]
    public void For_AnIdOutsideANewRange_GetsOneInside_WithoutTakingAnotherVmsId()
    {
        new QemuUserIds(MapPath, new QemuUserRange(100, 5)).For("old");
        var ids = new QemuUserIds(MapPath, new QemuUserRange(200, 5));
        Assert.Equal(200, ids.For("old"));
        Assert.Equal(201, ids.For("new"));
    }

    [Fact]
    public void For_UnreadableMap_RefusesRatherThanHandOutIdsTwice()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(MapPath)!);
        File.WriteAllText(MapPath, "{not json");
        var error = Assert.Throws<InvalidOperationException>(() => new QemuUserIds(MapPath, QemuUserRange.Default).For("web"));
        Assert.Contains(MapPath, error.Message);
    }

    [Theory]
    [InlineData("5000-5009", 5000, 10)]
    [InlineData(" 1-1 ", 1, 1)]
    public void Parse_Range(string text, int first, int count) =>
        Assert.Equal(new QemuUserRange(first, count), QemuUserRange.Parse(text, "--qemu-uids"));

    [Fact]
    public void Parse_Off_IsNoRange() => Assert.Null(QemuUserRange.Parse("off", "--qemu-uids"));

    [Theory]
    [InlineData("0-10")]
    [InlineData("10-5")]
    [InlineData("5000")]
    [InlineData("a-b")]
    [InlineData("1-2147483647")]
    public void Parse_Bad_ErrorNamesTheSourceAndTheForms(string text)
    {
        var error = Assert.Throws<InvalidOperationException>(() => QemuUserRange.Parse(text, "--qemu-uids"));
        Assert.StartsWith($"--qemu-uids is '{text.Trim()}'", error.Message);
        Assert.Contains("FIRST-LAST", error.Message);
        Assert.Contains("'off'", error.Message);
    }

    [Fact]
    public void Default_IsTheUnassignedBlockAboveSystemdsContainerRange() =>
        Assert.Equal((1879048192, 1879113727), (QemuUserRange.Default.First, QemuUserRange.Default.Last));
}
