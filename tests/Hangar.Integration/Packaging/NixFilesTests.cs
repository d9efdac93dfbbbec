namespace Hangar.Integration.Packaging;

/// <summary>flake.nix and packaging/nix/ parse with Debian's Nix, and the module's reader of the shared hardening file reads all of it.</summary>
public sealed class NixFilesTests : IDisposable
{
    private readonly NixTool _nix = new();

    public void Dispose() => _nix.Dispose();

    [Fact]
    public void EveryNixFile_Parses()
    {
        var files = PackagingFiles.NixFiles();
        Assert.Contains(PackagingFiles.Path("flake.nix"), files);
        Assert.Contains(PackagingFiles.Path("packaging", "nix", "module.nix"), files);
        var failures = files.Select(file => (file, result: _nix.Parse(file)))
            .Where(f => f.result.ExitCode != 0)
            .Select(f => $"{Path.GetRelativePath(PackagingFiles.Root, f.file)}: {f.result.Stderr.Trim()}").ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Parse_ABrokenFile_Fails()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hangar-broken-{Guid.NewGuid():N}.nix");
        File.WriteAllText(file, "{ services.hangar-agent = { enable = ; }; }\n");
        try
        {
            var result = _nix.Parse(file);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("syntax error", result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("hardening.conf")]
    [InlineData("tap-networks.conf")]
    public void UnitFileReader_ReadsEverySettingOfTheSharedFile(string name)
    {
        var path = PackagingFiles.Path("packaging", name);
        var expected = File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.StartsWith('['))
            .Select(line => line.Split('=', 2))
            .GroupBy(kv => kv[0], kv => kv[1])
            .ToDictionary(g => g.Key, g => g.ToArray());
        Assert.NotEmpty(expected);
        var read = _nix.Evaluate($"import {PackagingFiles.Path("packaging", "nix", "unit-file.nix")} (builtins.readFile {path})");
        var actual = read.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray());
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, values) in expected) Assert.Equal(values, actual[key]);
    }
}
