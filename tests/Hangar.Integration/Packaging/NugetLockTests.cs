using System.Text.Json;
using System.Xml.Linq;

namespace Hangar.Integration.Packaging;

/// <summary>
/// packaging/nix/deps.json, the flake's NuGet lock, has every package version the shipped projects (src/) take from
/// Directory.Packages.props: a version changed there without packaging/nix/update-deps.sh fails here, not in a Nix build.
/// </summary>
public sealed class NugetLockTests
{
    [Fact]
    public void Lock_HasEveryCentralVersionOfTheShippedProjects()
    {
        var locked = JsonDocument.Parse(File.ReadAllText(PackagingFiles.Path("packaging", "nix", "deps.json"))).RootElement
            .EnumerateArray().Select(e => (Id: e.GetProperty("pname").GetString()!, Version: e.GetProperty("version").GetString()!, Hash: e.GetProperty("hash").GetString()!))
            .ToList();
        Assert.All(locked, p => Assert.Matches("^sha256-[A-Za-z0-9+/]{43}=$", p.Hash));
        var central = XDocument.Load(PackagingFiles.Path("Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
        var used = Directory.EnumerateFiles(PackagingFiles.Path("src"), "*.csproj", SearchOption.AllDirectories)
            .SelectMany(project => XDocument.Load(project).Descendants("PackageReference").Select(r => (string)r.Attribute("Include")!))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.NotEmpty(used);
        var missing = used.Where(id => !locked.Any(p => p.Id.Equals(id, StringComparison.OrdinalIgnoreCase) && p.Version == central[id]))
            .Select(id => $"{id} {central[id]}").ToList();
        Assert.True(missing.Count == 0, $"packaging/nix/deps.json lacks {string.Join(", ", missing)}; run packaging/nix/update-deps.sh.");
    }
}
