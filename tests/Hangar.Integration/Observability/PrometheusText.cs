using System.Globalization;

namespace Hangar.Integration.Observability;

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4), written for the tests so that they check what a
/// scraper would accept rather than trusting the writer: <c># HELP</c> and <c># TYPE</c> before a family's samples,
/// one family per name, samples <c>name{label="value",…} number</c> with escaped label values, and for a histogram,
/// per label set, cumulative buckets that end in <c>le="+Inf"</c> equal to <c>_count</c>, with a <c>_sum</c>.
/// </summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed record Family(string Name, string Help, string Type, List<Sample> Samples);

    private readonly string _text;

    private PrometheusText(Dictionary<string, Family> families, string text)
    {
        Families = families;
        _text = text;
    }

    /// <summary>The text as scraped, for a failing assertion's message.</summary>
    public override string ToString() => _text;

    public IReadOnlyDictionary<string, Family> Families { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the line for anything a scraper would refuse.</summary>
    public static PrometheusText Parse(string text)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        Family? current = null;
        var lines = text.Split('\n');
        if (text.Length > 0 && lines[^1] != "") throw new FormatException("The exposition does not end with a newline.");
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            string Where() => $"line {n + 1} '{line}'";
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ');
                if (space <= 0) throw new FormatException($"A HELP without text at {Where()}.");
                helps[rest[..space]] = rest[(space + 1)..];
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    throw new FormatException($"A malformed TYPE at {Where()}.");
                var name = parts[2];
                CheckName(name, Where);
                if (families.ContainsKey(name)) throw new FormatException($"A second TYPE for {name} at {Where()}.");
                if (!helps.TryGetValue(name, out var help)) throw new FormatException($"No HELP before the TYPE of {name} at {Where()}.");
                current = new Family(name, help, parts[3], []);
                families[name] = current;
                continue;
            }
            if (line.StartsWith('#') || line.Length == 0) continue;
            var sample = ParseSample(line, Where);
            if (current is null || !BelongsTo(sample.Name, current))
                throw new FormatException($"A sample of {sample.Name} outside its family (after {current?.Name ?? "nothing"}) at {Where()}.");
            current.Samples.Add(sample);
        }
        foreach (var family in families.Values)
        {
            if (family.Type == "counter" && !family.Name.EndsWith("_total", StringComparison.Ordinal))
                throw new FormatException($"The counter {family.Name} does not end in _total.");
            if (family.Type == "counter" && family.Samples.Any(s => s.Value < 0)) throw new FormatException($"The counter {family.Name} is negative.");
            if (family.Type == "histogram") CheckHistogram(family);
        }
        return new PrometheusText(families, text);
    }

    /// <summary>The one sample of <paramref name="name"/> with exactly <paramref name="labels"/>; null when there is none.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Samples(name).Where(s => s.Labels.Count == labels.Length && labels.All(l => s.Labels.GetValueOrDefault(l.Name) == l.Value)).ToArray();
        return matches.Length switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new InvalidOperationException($"{matches.Length} samples of {name} with those labels."),
        };
    }

    /// <summary>Every sample named <paramref name="name"/> (a histogram's <c>_bucket</c>, <c>_sum</c>, <c>_count</c> included).</summary>
    public IEnumerable<Sample> Samples(string name) => Families.Values.SelectMany(f => f.Samples).Where(s => s.Name == name);

    private static bool BelongsTo(string sample, Family family) => sample == family.Name
        || (family.Type == "histogram" && (sample == family.Name + "_bucket" || sample == family.Name + "_sum" || sample == family.Name + "_count"));

    private static void CheckHistogram(Family family)
    {
        static string Key(Sample s) => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        foreach (var group in family.Samples.GroupBy(Key))
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket").ToArray();
            if (buckets.Length == 0) throw new FormatException($"{family.Name}{{{group.Key}}} has no buckets.");
            var previous = (Bound: double.NegativeInfinity, Count: 0.0);
            foreach (var bucket in buckets)
            {
                if (!bucket.Labels.TryGetValue("le", out var le)) throw new FormatException($"A bucket of {family.Name} without le.");
                var bound = ParseNumber(le, () => $"le of {family.Name}");
                if (bound <= previous.Bound) throw new FormatException($"The buckets of {family.Name}{{{group.Key}}} do not increase at le={le}.");
                if (bucket.Value < previous.Count) throw new FormatException($"The buckets of {family.Name}{{{group.Key}}} are not cumulative at le={le}.");
                previous = (bound, bucket.Value);
            }
            if (!double.IsPositiveInfinity(previous.Bound)) throw new FormatException($"The buckets of {family.Name}{{{group.Key}}} do not end in le=\"+Inf\".");
            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"{family.Name}{{{group.Key}}} has no _count.");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"{family.Name}{{{group.Key}}} has no _sum.");
            if (count.Value != previous.Count) throw new FormatException($"{family.Name}{{{group.Key}}}: _count {count.Value} is not the +Inf bucket's {previous.Count}.");
        }
    }

    private static Sample ParseSample(string line, Func<string> where)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        CheckName(name, where);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                if (eq < 0) throw new FormatException($"A label without '=' at {where()}.");
                var label = line[i..eq];
                CheckName(label, where);
                if (eq + 1 >= line.Length || line[eq + 1] != '"') throw new FormatException($"A label value without quotes at {where()}.");
                var value = new System.Text.StringBuilder();
                var j = eq + 2;
                for (; j < line.Length && line[j] != '"'; j++)
                {
                    if (line[j] != '\\') { value.Append(line[j]); continue; }
                    j++;
                    value.Append(line[j] switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new FormatException($"An unknown escape at {where()}.") });
                }
                if (j >= line.Length) throw new FormatException($"An unterminated label value at {where()}.");
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"The label {label} twice at {where()}.");
                i = j + 1;
                if (line[i] == ',') i++;
                else if (line[i] != '}') throw new FormatException($"Labels not separated by ',' at {where()}.");
            }
            i++;
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"No value at {where()}.");
        var fields = line[(i + 1)..].Split(' ');
        if (fields.Length is < 1 or > 2) throw new FormatException($"Too many fields at {where()}.");
        return new Sample(name, labels, ParseNumber(fields[0], where));
    }

    private static double ParseNumber(string text, Func<string> where) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"'{text}' is not a number at {where()}."),
    };

    private static void CheckName(string name, Func<string> where)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            throw new FormatException($"'{name}' is not a metric or label name at {where()}.");
    }
}
