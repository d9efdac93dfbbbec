using Hangar.Protocol.Api;

namespace Hangar.Protocol.Tests.Api;

public sealed class LabelArgumentsTests
{
    [Fact]
    public void Parse_RepeatedAndCommaSeparated_AllPairsLastWins()
    {
        var labels = LabelArguments.Parse(["zone=a, gpu=true", "zone=b", "empty="]);

        Assert.Equal(new Dictionary<string, string> { ["zone"] = "b", ["gpu"] = "true", ["empty"] = "" }, labels);
        Assert.Equal("empty=,gpu=true,zone=b", LabelArguments.Text(labels));
    }

    [Theory]
    [InlineData("zone")]
    [InlineData("=a")]
    public void Parse_NotAPair_SaysHowToWriteOne(string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => LabelArguments.Parse([value]));
        Assert.Contains($"'{value}' is not a label; write key=value", e.Message);
    }

    [Fact]
    public void Text_None_IsADash() => Assert.Equal("-", LabelArguments.Text(new Dictionary<string, string>()));
}
