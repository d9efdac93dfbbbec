using System.Text.Json;
using System.Text.RegularExpressions;
using Hangar.Cli.Daemon;
using Hangar.Server;
using Hangar.Server.Configuration;

namespace Hangar.Integration.Packaging;

/// <summary>
/// The NixOS module cannot drift from the daemon: every option of packaging/nix/module.nix is accounted for in
/// flags.json, every flag named there is one of hangard's (its real System.CommandLine tree), every flag it says is
/// missing really is, and the command lines args.nix builds from sample options parse with hangard's parser.
/// </summary>
public sealed partial class ModuleFlagsTests : IDisposable
{
    private static readonly JsonElement Flags = JsonDocument.Parse(File.ReadAllText(PackagingFiles.Path("packaging", "nix", "flags.json"))).RootElement;
    private readonly NixTool _nix = new();

    public void Dispose() => _nix.Dispose();

    private static IEnumerable<(string Option, JsonElement Spec)> Entries(string service) =>
        Flags.GetProperty(service).EnumerateObject().Select(p => (p.Name, p.Value));

    [Theory]
    [InlineData("agent", "hangar-agent", "options.services.hangar-server =")]
    [InlineData("server", "hangar-server", "config = mkMerge")]
    public void ModuleOptions_AreEachInFlagsJson(string service, string section, string nextSection)
    {
        var module = File.ReadAllText(PackagingFiles.Path("packaging", "nix", "module.nix"));
        var common = Between(module, "common = service: {", "serviceConfig =");
        var own = Between(module, $"options.services.{section} =", nextSection);
        var declared = OptionDeclaration().Matches(common + own).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("enable", declared);
        Assert.Contains("extraArgs", declared);
        Assert.Equal(declared.Order(), Entries(service).Select(e => e.Option).Order());
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("server")]
    public void FlagsOfTheModule_AreHangardsFlags(string service)
    {
        var flags = HangardCommandTree.FlagNames(service);
        var named = Entries(service).Where(e => e.Spec.TryGetProperty("flag", out _)).ToList();
        Assert.NotEmpty(named);
        foreach (var (option, spec) in named)
        {
            var flag = spec.GetProperty("flag").GetString()!;
            Assert.True(flags.Contains(flag), $"services.hangar-{service}.{option} passes {flag}, which `hangard {service}` does not have (it has {string.Join(", ", flags.Order())}).");
            // The server's flags are also keys of its config file and HANGAR_* variables; --home is everyone's.
            if (service == "server" && flag != DaemonGlobals.Home.Name)
                Assert.True(ServerSettings.Keys.Contains(flag[2..]), $"services.hangar-server.{option}: {flag} is no server setting key ({string.Join(", ", ServerSettings.Keys)}).");
        }
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("server")]
    public void MissingFlags_AreReallyMissing(string service)
    {
        var flags = HangardCommandTree.FlagNames(service);
        foreach (var (option, spec) in Entries(service).Where(e => e.Spec.TryGetProperty("missing", out _)))
        {
            var flag = spec.GetProperty("missing").GetString()!;
            Assert.False(flags.Contains(flag), $"`hangard {service}` has {flag} now: pass services.hangar-{service}.{option} to it in packaging/nix/args.nix and flags.json.");
            Assert.True(spec.TryGetProperty("why", out var why) && why.GetString()!.Length > 0, $"{option}: say why the flag is missing.");
        }
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("server")]
    public void EnvironmentVariablesOfTheModule_AreOnesTheDaemonReads(string service)
    {
        var command = HangardCommandTree.Create().Subcommands.Single(c => c.Name == service);
        foreach (var (option, spec) in Entries(service).Where(e => e.Spec.TryGetProperty("env", out _)))
        {
            var variable = spec.GetProperty("env").GetString()!;
            // The agent's flags name the variable they default to; the server reads HANGAR_<KEY> for each setting.
            var read = command.Options.Any(o => o.Description?.Contains("$" + variable, StringComparison.Ordinal) == true)
                || (service == "server" && ServerSettings.Keys.Any(k => ServerSettings.EnvironmentName(k) == variable));
            Assert.True(read, $"services.hangar-{service}.{option}: hangard {service} does not read {variable}.");
        }
    }

    [Fact]
    public void AccelValuesOfEnableKvm_AreAccepted()
    {
        foreach (var service in new[] { "agent", "server" })
            foreach (var value in Flags.GetProperty(service).GetProperty("enableKvm").GetProperty("values").EnumerateObject())
                DaemonGlobals.AccelFrom(value.Value.GetString());
    }

    [Fact]
    public void LogLevelsOfTheModule_AreHangardsLevels()
    {
        var module = File.ReadAllText(PackagingFiles.Path("packaging", "nix", "module.nix"));
        var levels = Regex.Matches(Between(module, "levels = [", "];"), "\"(\\w+)\"").Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(Hangar.Server.Logging.DaemonLogLevels.Names, levels);
        foreach (var level in levels) Hangar.Server.Logging.DaemonLogLevels.Parse(level);
    }

    /// <summary>Every agent option args.nix reads, each set.</summary>
    private const string FullAgentOptions =
        """{ stateDir = "/srv/hangar"; serverUrl = "https://10.0.0.1:7600,https://10.0.0.2:7600"; serverFingerprint = "sha256:00"; name = "lab1"; labels = { gpu = "true"; rack = "2"; }; metricsListen = "0.0.0.0:9464"; enableKvm = false; qemuSocketDir = "/run/hangar"; logLevel = "debug"; extraArgs = [ "--labels" "zone=a" ]; }""";

    public static TheoryData<string, string> SampleOptions => new()
    {
        { "agent", """{ stateDir = "/var/lib/hangar"; serverUrl = null; serverFingerprint = null; name = null; labels = { }; enableKvm = true; qemuSocketDir = "/run/hangar"; logLevel = "info"; extraArgs = [ ]; }""" },
        { "agent", FullAgentOptions },
        { "server", """{ stateDir = "/var/lib/hangar"; listen = "127.0.0.1"; port = 7600; store = null; enableKvm = true; logLevel = "info"; extraArgs = [ ]; }""" },
        { "server", """{ stateDir = "/var/lib/hangar"; listen = "::"; port = 8443; store = "postgres:Host=/run/postgresql;Database=hangar"; enableKvm = false; logLevel = "notice"; extraArgs = [ "--no-agent" ]; }""" },
    };

    [Theory]
    [MemberData(nameof(SampleOptions))]
    public void CommandLineOfTheModule_ParsesWithHangard(string service, string options)
    {
        var args = Arguments(PackagingFiles.Path("packaging", "nix", "args.nix"), service, options);
        var parse = HangardCommandTree.Create().Parse(args);
        Assert.True(parse.Errors.Count == 0, $"hangar {string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        Assert.Equal(service, parse.CommandResult.Command.Name);
        Assert.Empty(parse.UnmatchedTokens);
        Assert.NotNull(parse.GetValue(DaemonGlobals.Home));
        // ExecStart runs the client, which must hand the command line to hangard rather than answer it itself.
        Assert.Equal(0, DaemonExecutable.FindCommand(args));
    }

    [Fact]
    public void CommandLineOfTheModule_WithARenamedFlag_DoesNotParse()
    {
        var dir = Directory.CreateTempSubdirectory("hangar-args-").FullName;
        try
        {
            File.Copy(PackagingFiles.Path("packaging", "nix", "args.nix"), Path.Combine(dir, "args.nix"));
            File.WriteAllText(Path.Combine(dir, "flags.json"),
                File.ReadAllText(PackagingFiles.Path("packaging", "nix", "flags.json")).Replace("\"flag\": \"--server\"", "\"flag\": \"--control-plane\""));
            var args = Arguments(Path.Combine(dir, "args.nix"), "agent", FullAgentOptions);
            Assert.Contains("--control-plane", args);
            Assert.NotEmpty(HangardCommandTree.Create().Parse(args).Errors);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private string[] Arguments(string argsNix, string service, string options) =>
        _nix.Evaluate($"import {argsNix} {{ service = \"{service}\"; cfg = {options}; }}").EnumerateArray().Select(a => a.GetString()!).ToArray();

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"module.nix has no '{start}'");
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        Assert.True(to >= 0, $"module.nix has no '{end}' after '{start}'");
        return text[from..to];
    }

    [GeneratedRegex(@"(?m)^\s*(\w+) = mk(?:Enable)?Option\b")]
    private static partial Regex OptionDeclaration();
}
