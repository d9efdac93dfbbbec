using System.Text;
using Xunit.Abstractions;

namespace Hangar.Spec.Tests;

/// <summary>
/// Random and mutated fleet files: the parser returns a spec or errors for each, never throws and never hangs.
/// Inputs come from a seeded <see cref="Random"/>, so a failure names the seed and the input's number, which
/// reproduce it; the fixed seeds run every time, and one seed from the clock widens the search from run to run.
/// </summary>
public sealed class FleetParserFuzzTests : IDisposable
{
    // Each seed runs this many inputs, or fewer when its time is up, so the whole class takes a few seconds.
    private const int InputsPerSeed = 300;
    private static readonly TimeSpan BudgetPerSeed = TimeSpan.FromSeconds(1.5);

    // Not a timing: an input the parser has not finished after this long is a hang (each input is at most a few KB).
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(20);

    private const string FileName = "fuzz.yaml";

    private static readonly string[] Fragments =
    [
        "- ", "-", ": ", ":", "? ", "&a ", "*a", "&b ", "*b", "<<: *a", "!!str ", "!!int ", "!!binary ", "!custom ",
        "%YAML 1.2", "%TAG ! tag:x,2000:", "---", "...", "#", "'", "\"", "|", ">-", "|+2", "\t", "  ", "{", "}", "[", "]",
        ",", "\\", "\\u12", "\\x4", "~", "null", "true", "0x10", "1e999", "-0", "9223372036854775808", "8080:80",
        "8080:80/udp", "65536:80", "120s", "1ms", "0s", "512MiB", "1PiB", "18446744073709551616MiB", "tiny", "vms:",
        "images:", "settings:", "health:", "forwards:", "\u0085", "\u2028", "\uFEFF", "\0", "\r", "\r\n", "\uD800", "é",
    ];

    private const string Syntax = "{}[],:&*!|>'\"#-?%@\n\t ";

    private readonly ITestOutputHelper _output;
    private readonly TempDirectory _dir = new();
    private readonly IReadOnlyList<string> _corpus;

    public FleetParserFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        var image = _dir.Write("images/disk.qcow2", "not really a disk");
        _corpus =
        [
            File.ReadAllText(Path.Combine(RepoRoot(), "examples", "quickstart", "fleet.yaml")),
            $"""
            settings:
              orphans: stop
            images:
              debian:
                path: {image}
                sha256: {Fleet.Sha}
                format: qcow2
            vms:
              web:
                image: tiny
                vcpu: 2
                memory: 256MiB
                disk: 1GiB
                kernelArgs: "loglevel=7"
                forwards: ["8080:80", "5353:53/udp"]
                autostart: true
                restart: always
                health:
                  serial: ready
                  timeout: 30s
              db: &db
                image: debian
                memory: 2GiB
                forwards:
                  - "5432:5432"
                health:
                  tcp: 5432
            """,
            """
            {
              "vms": {
                "web": {"image": "tiny", "forwards": ["8081:80"], "health": {"tcp": 80, "timeout": "1m"}},
                "api": {"image": "tiny", "memory": "128MiB", "restart": "on-failure"}
              }
            }
            """,
        ];
    }

    public static TheoryData<int> FixedSeeds => new() { 1, 2, 3 };

    [Theory]
    [MemberData(nameof(FixedSeeds))]
    public void Parse_MutatedAndRandomFiles_ReturnSpecOrErrorsNeverThrowOrHang(int seed) => Run(seed);

    [Fact]
    public void Parse_MutatedAndRandomFilesFromTodaysSeed_ReturnSpecOrErrorsNeverThrowOrHang() =>
        Run(Environment.TickCount & int.MaxValue);

    [Fact]
    public void Corpus_IsValid()
    {
        // The mutations start from valid files; were they invalid, the fuzzing would test far less.
        foreach (var text in _corpus) Fleet.Valid(text, _dir.Path);
    }

    private void Run(int seed)
    {
        var random = new Random(seed);
        var deadline = DateTime.UtcNow + BudgetPerSeed;
        var ran = 0;
        for (; ran < InputsPerSeed && DateTime.UtcNow < deadline; ran++)
        {
            var (text, how) = NextInput(random);
            Check(text, $"seed {seed}, input {ran} ({how})");
        }
        _output.WriteLine($"seed {seed}: {ran} inputs");
    }

    private void Check(string text, string which)
    {
        var parse = Task.Run(() => FleetParser.Parse(text, FileName, _dir.Path));
        SpecResult result;
        try
        {
            if (!parse.Wait(HangAfter)) Assert.Fail($"The parser did not finish within {HangAfter} on {which}:\n{Show(text)}");
            result = parse.Result;
        }
        catch (AggregateException e)
        {
            Assert.Fail($"The parser threw on {which}: {e.InnerException}\n{Show(text)}");
            return;
        }
        if (result.Spec is { } spec)
        {
            Assert.True(result.Errors.Count == 0, $"A spec and errors for {which}:\n{Show(text)}");
            var again = FleetParser.Parse(FleetYaml.Write(spec), FileName, _dir.Path);
            Assert.True(again.Spec == spec, $"The written spec reads back differently for {which}:\n{Show(text)}\n{string.Join("\n", again.Errors)}");
            return;
        }
        Assert.True(result.Errors.Count is > 0 and <= SpecLimits.MaxErrors + 1, $"{result.Errors.Count} errors and no spec for {which}:\n{Show(text)}");
        foreach (var error in result.Errors)
        {
            Assert.True(error.File == FileName && error.Line >= 1 && error.Column >= 1 && error.Message.Length > 0,
                $"A malformed error '{error}' for {which}:\n{Show(text)}");
        }
    }

    private (string Text, string How) NextInput(Random random)
    {
        if (random.Next(10) == 0) return (RandomText(random), "random text");
        var text = _corpus[random.Next(_corpus.Count)];
        var how = new List<string>();
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var (mutated, name) = Mutate(random, text);
            text = mutated;
            how.Add(name);
        }
        return (text, string.Join(", ", how));
    }

    private static (string, string) Mutate(Random random, string text)
    {
        var lines = text.Split('\n').ToList();
        int Line() => random.Next(lines.Count);
        switch (random.Next(9))
        {
            case 0:
                var chars = text.ToCharArray();
                for (var i = random.Next(1, 5); i > 0 && chars.Length > 0; i--)
                    chars[random.Next(chars.Length)] = random.Next(2) == 0 ? (char)random.Next(0x10000) : Syntax[random.Next(Syntax.Length)];
                return (new string(chars), "changed characters");
            case 1:
                return (text[..random.Next(text.Length + 1)], "truncated");
            case 2:
                var copied = lines[Line()];
                lines.Insert(Line(), copied);
                return (string.Join('\n', lines), "duplicated a line");
            case 3:
                lines.RemoveAt(Line());
                return (string.Join('\n', lines), "removed a line");
            case 4:
                var at = Line();
                var fragment = Fragments[random.Next(Fragments.Length)];
                lines[at] = random.Next(2) == 0 ? lines[at].Insert(random.Next(lines[at].Length + 1), fragment) : fragment;
                return (string.Join('\n', lines), $"inserted '{fragment}'");
            case 5:
                var (a, b) = (Line(), Line());
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return (string.Join('\n', lines), "swapped two lines");
            case 6:
                var indented = Line();
                lines[indented] = random.Next(2) == 0 ? "  " + lines[indented] : lines[indented].TrimStart();
                return (string.Join('\n', lines), "changed an indent");
            case 7:
                return (Alias(random, lines), "anchors and aliases");
            default:
                return (Nest(random, lines), "nested deeply");
        }
    }

    /// <summary>Anchors a value and repeats it through aliases elsewhere, sometimes in a list of many aliases.</summary>
    private static string Alias(Random random, List<string> lines)
    {
        var values = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains(": ")).ToList();
        if (values.Count == 0) return string.Join('\n', lines);
        var anchored = values[random.Next(values.Count)];
        var colon = lines[anchored].IndexOf(": ", StringComparison.Ordinal) + 2;
        lines[anchored] = lines[anchored].Insert(colon, "&x ");
        for (var i = random.Next(1, 4); i > 0; i--)
        {
            var target = values[random.Next(values.Count)];
            var cut = lines[target].IndexOf(": ", StringComparison.Ordinal) + 2;
            var alias = random.Next(3) == 0 ? "[" + string.Join(", ", Enumerable.Repeat("*x", random.Next(1, 500))) + "]" : "*x";
            lines[target] = lines[target][..cut] + alias;
        }
        return string.Join('\n', lines);
    }

    /// <summary>Wraps a value in many flow lists or mappings, closed or not.</summary>
    private static string Nest(Random random, List<string> lines)
    {
        var at = random.Next(lines.Count);
        var depth = random.Next(2) == 0 ? random.Next(1, 120) : random.Next(1000, 5000);
        var (open, close) = random.Next(2) == 0 ? ("[", "]") : ("{a: ", "}");
        var closing = random.Next(3) == 0 ? "" : string.Concat(Enumerable.Repeat(close, depth));
        lines[at] = lines[at] + " " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + closing;
        return string.Join('\n', lines);
    }

    private static string RandomText(Random random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(0, 60); i > 0; i--)
            text.Append(random.Next(3) == 0 ? ((char)random.Next(0x20, 0x7F)).ToString() : Fragments[random.Next(Fragments.Length)]);
        return text.ToString();
    }

    /// <summary>The input as a C# string literal body, so that a failure can be pasted into a test.</summary>
    private static string Show(string text)
    {
        var shown = new StringBuilder();
        foreach (var c in text.Length > 4000 ? text[..4000] : text)
            shown.Append(c is >= ' ' and <= '~' and not '\\' and not '"' || c == '\n' ? c.ToString() : $"\\u{(int)c:X4}");
        return shown.ToString();
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hangar.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Hangar.slnx not found above the test binaries.");
    }

    public void Dispose() => _dir.Dispose();
}
