using System.Text;

namespace Hangar.Spec.Tests;

/// <summary>The caps on what one fleet file may cost (SpecLimits): each stops reading with an error that says where and why.</summary>
public sealed class FleetParserLimitTests
{
    /// <summary>
    /// The shape of the file that once cost 16 million errors and gigabytes: every VM an alias of one VM whose
    /// forwards are a long list, so each VM repeats the list.
    /// </summary>
    private static string AliasedVms(int vms, int listLength)
    {
        var text = new StringBuilder("vms: {a0: &m {image: tiny, forwards: &l [");
        text.AppendJoin(',', Enumerable.Repeat("1", listLength)).Append("]}");
        for (var i = 1; i < vms; i++) text.Append($", a{i}: *m");
        return text.Append("}\n").ToString();
    }

    [Fact]
    public void Parse_AliasesExpandBeyondLimit_OneErrorAtTheAliasThatCrossedIt()
    {
        const int listLength = 2000;
        // Enough VMs that their copies pass the limit by a quarter, in a file far below the size limit.
        var text = AliasedVms(vms: (int)(SpecLimits.MaxExpandedSize / (2 * listLength) * 5 / 4), listLength);
        Assert.True(text.Length < SpecLimits.MaxFileBytes / 50);

        var error = Fleet.SingleError(text);

        // Counted as documented: one per node plus the characters of each scalar, an alias as a copy of its anchor.
        long vm = 1 + "image".Length + 1 + "tiny".Length + 1 + "forwards".Length + 1 + 1 + listLength * (1 + 1);
        long size = 1 + (1 + "vms".Length) + 1 + (1 + "a0".Length) + vm;
        var crossing = 1;
        for (; ; crossing++)
        {
            size += 1 + $"a{crossing}".Length + vm;
            if (size > SpecLimits.MaxExpandedSize) break;
        }
        var alias = $", a{crossing}: *m";
        Assert.Equal((1, text.IndexOf(alias, StringComparison.Ordinal) + alias.Length - 1), (error.Line, error.Column));
        Assert.Equal($"Aliases expand this file beyond {SpecLimits.MaxExpandedSize:N0} nodes and characters, the limit " +
                     "for a fleet file (each alias counts as a full copy of its anchor); repeat less through aliases", error.Message);
    }

    [Fact]
    public void Parse_LongScalarRepeatedByAliases_CountsItsCharacters()
    {
        // 1,400 aliases of one 30 000-character string: only 1,400 nodes, but 42 million characters to compare and hash.
        var text = new StringBuilder($"vms:\n  a0: {{image: &s \"{new string('x', 30_000)}\"}}\n");
        for (var i = 1; i < 1400; i++) text.Append($"  a{i}: {{image: *s}}\n");

        var error = Fleet.SingleError(text.ToString());

        Assert.Contains("Aliases expand this file beyond", error.Message);
        Assert.True(error.Line > 1000, $"crossed at about the 1,120th alias: {error}");
    }

    [Fact]
    public void Parse_AliasesWithinLimit_AreReadAsCopies()
    {
        var spec = Fleet.Valid("""
            vms:
              web: {image: tiny, forwards: ["8080:80"], health: &h {tcp: 80, timeout: 30s}}
              api: {image: tiny, forwards: ["8081:80"], health: *h}
            """);

        Assert.Equal(spec.Vms[0].Health, spec.Vms[1].Health);
        Assert.Equal(80, spec.Vms[0].Health!.TcpGuestPort);
    }

    [Fact]
    public void Parse_MoreErrorsThanLimit_ReportsTheFirstThenWhereItStopped()
    {
        var text = new StringBuilder("vms:\n");
        for (var i = 0; i < SpecLimits.MaxErrors + 50; i++) text.Append($"  vm{i}: {{image: tiny, vcpu: 0}}\n");

        var errors = Fleet.Parse(text.ToString()).Errors;

        Assert.Equal(SpecLimits.MaxErrors + 1, errors.Count);
        Assert.All(errors.Take(SpecLimits.MaxErrors), e => Assert.EndsWith("Expected an integer from 1 to 64, found 0", e.Message));
        Assert.Equal(Enumerable.Range(2, SpecLimits.MaxErrors), errors.Take(SpecLimits.MaxErrors).Select(e => e.Line));
        var stop = errors[^1];
        Assert.Equal((SpecLimits.MaxErrors + 2, 30), (stop.Line, stop.Column)); // where the next error would have been
        Assert.Equal($"Stopped after {SpecLimits.MaxErrors} errors, the most reported for one file; there are more from here on, fix these first", stop.Message);
    }

    [Fact]
    public void Parse_TextLargerThanLimit_OneErrorNamingTheLimit()
    {
        var text = "vms: {}\n#" + new string('x', SpecLimits.MaxFileBytes);

        var error = Fleet.SingleError(text);

        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal($"The file has {text.Length:N0} bytes; a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes (16MiB)", error.Message);
    }

    [Fact]
    public void Parse_TextAtTheLimit_IsRead()
    {
        var head = "vms: {}\n#";
        var text = head + new string('x', SpecLimits.MaxFileBytes - head.Length);

        Assert.Empty(Fleet.Valid(text).Vms);
    }

    [Fact]
    public void ParseFile_FileLargerThanLimit_OneErrorWithItsSize()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "big.yaml");
        File.WriteAllText(path, "vms: {}\n#" + new string('x', 2 * SpecLimits.MaxFileBytes));

        var error = Assert.Single(FleetParser.ParseFile(path).Errors);

        Assert.Equal((path, 1, 1), (error.File, error.Line, error.Column));
        Assert.Equal($"The file has {2 * SpecLimits.MaxFileBytes + 9:N0} bytes; a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes (16MiB)", error.Message);
    }

    [Fact]
    public void ParseFile_GivesTheTextItParsed_OrNoneWhenTooLarge()
    {
        using var dir = new TempDirectory();
        var small = dir.Write("small.yaml", "vms: {}\n");
        var big = dir.Write("big.yaml", "vms: {}\n#" + new string('x', SpecLimits.MaxFileBytes));

        Assert.True(FleetParser.ParseFile(small, out var text).IsValid);
        Assert.Equal("vms: {}\n", text);
        Assert.False(FleetParser.ParseFile(big, out text).IsValid);
        Assert.Null(text);
    }

    [Fact]
    public void ParseFile_EndlessFile_StopsReadingAtTheLimit()
    {
        var error = Assert.Single(FleetParser.ParseFile("/dev/zero").Errors);

        Assert.Equal($"The file is larger than the limit; a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes (16MiB)", error.Message);
    }

    [Theory]
    [InlineData("[", "", 101)] // the 101st list
    [InlineData("[", "]", 101)]
    [InlineData("- ", "", 201)]
    [InlineData("{a: ", "", 398)] // the key of the 100th mapping, one level below it
    public void Parse_NestedFarBeyondLimit_ReportsTheDepthWithoutOverflowingTheStack(string open, string close, int column)
    {
        const int levels = 100_000;
        var text = string.Concat(Enumerable.Repeat(open, levels)) + "x" + string.Concat(Enumerable.Repeat(close, levels));

        var error = Fleet.SingleError(text);

        Assert.Equal($"Nodes are nested more than {SpecLimits.MaxDepth} levels deep, the limit for a fleet file", error.Message);
        Assert.Equal((1, column), (error.Line, error.Column));
    }
}
