namespace Hangar.Spec.Tests;

/// <summary>Parses fleet text the way the tests need it: file name "fleet.yaml", errors as their printed form.</summary>
internal static class Fleet
{
    public const string FileName = "fleet.yaml";
    public const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static SpecResult Parse(string text, string? baseDirectory = null) =>
        FleetParser.Parse(text, FileName, baseDirectory ?? Path.GetTempPath());

    /// <summary>The spec of a file that must be valid; fails with all its errors otherwise.</summary>
    public static FleetSpec Valid(string text, string? baseDirectory = null)
    {
        var result = Parse(text, baseDirectory);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    /// <summary>The errors of a file that must be invalid, as "file:line:col: path: message".</summary>
    public static IReadOnlyList<string> Errors(string text, string? baseDirectory = null)
    {
        var result = Parse(text, baseDirectory);
        Assert.Null(result.Spec);
        Assert.NotEmpty(result.Errors);
        return result.Errors.Select(e => e.ToString()).ToList();
    }

    /// <summary>The single error of a file with exactly one mistake.</summary>
    public static SpecError SingleError(string text, string? baseDirectory = null)
    {
        var result = Parse(text, baseDirectory);
        Assert.Null(result.Spec);
        return Assert.Single(result.Errors);
    }
}
