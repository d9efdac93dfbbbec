using System.Text.Json;

namespace Hangar.Integration.Packaging;

/// <summary>
/// Debian's nix-instantiate, offline and without a daemon: its state, configuration and caches in a temp directory,
/// and <c>--readonly-mode</c> (no store database), so that parsing and evaluating builtins-only files need nothing else.
/// </summary>
internal sealed class NixTool : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hangar-nix-").FullName;

    private Dictionary<string, string> Environment => new()
    {
        ["NIX_STATE_DIR"] = System.IO.Path.Combine(_dir, "state"),
        ["NIX_CONF_DIR"] = System.IO.Path.Combine(_dir, "conf"),
        ["NIX_LOG_DIR"] = System.IO.Path.Combine(_dir, "log"),
        ["XDG_CACHE_HOME"] = System.IO.Path.Combine(_dir, "cache"),
        ["XDG_CONFIG_HOME"] = System.IO.Path.Combine(_dir, "config"),
        ["HOME"] = _dir,
        ["NIX_PATH"] = "",
    };

    /// <summary>Parses a file; the result is nix-instantiate's, with its error on stderr.</summary>
    public PackagingFiles.Result Parse(string file) =>
        PackagingFiles.Run("nix-instantiate", "nix-bin", ["--readonly-mode", "--parse", file], Environment);

    /// <summary>Evaluates an expression strictly and returns its value as JSON.</summary>
    public JsonElement Evaluate(string expression)
    {
        var result = PackagingFiles.Run("nix-instantiate", "nix-bin", ["--readonly-mode", "--eval", "--strict", "--json", "--expr", expression], Environment);
        if (result.ExitCode != 0) throw new InvalidOperationException($"nix-instantiate --eval failed ({result.ExitCode}): {result.Stderr}\n{expression}");
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
