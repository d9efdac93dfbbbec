namespace Hangar.Images.Debian12;

/// <summary>
/// The Debian mirrors this host's apt is configured with (<c>/etc/apt/sources.list</c> and
/// <c>/etc/apt/sources.list.d/*.list|*.sources</c>), reduced to the entries of one suite: the image is built from the
/// mirror the host already reaches, never from an address written into Hangar.
/// </summary>
internal static class AptSources
{
    public const string DefaultDirectory = "/etc/apt";

    /// <summary>
    /// A deb822 sources file holding every <c>deb</c> entry of <paramref name="etcApt"/> whose suite is
    /// <paramref name="suite"/> or one of its companions (<c>bookworm-updates</c>, <c>bookworm-security</c>).
    /// </summary>
    /// <exception cref="ImageBuildException">No configured source has that suite.</exception>
    public static string ForSuite(string etcApt, string suite)
    {
        var entries = new List<Entry>();
        var list = Path.Combine(etcApt, "sources.list");
        if (File.Exists(list)) entries.AddRange(ReadOneLine(File.ReadAllLines(list)));
        var parts = Path.Combine(etcApt, "sources.list.d");
        if (Directory.Exists(parts))
        {
            foreach (var file in Directory.GetFiles(parts).Order(StringComparer.Ordinal))
            {
                if (file.EndsWith(".list", StringComparison.Ordinal)) entries.AddRange(ReadOneLine(File.ReadAllLines(file)));
                else if (file.EndsWith(".sources", StringComparison.Ordinal)) entries.AddRange(ReadDeb822(File.ReadAllText(file)));
            }
        }
        var text = new System.Text.StringBuilder();
        foreach (var entry in entries)
        {
            var suites = entry.Suites.Where(s => s == suite || s.StartsWith(suite + "-", StringComparison.Ordinal)).ToList();
            if (suites.Count == 0 || entry.Uris.Count == 0) continue;
            text.Append("Types: deb\n")
                .Append("URIs: ").AppendJoin(' ', entry.Uris).Append('\n')
                .Append("Suites: ").AppendJoin(' ', suites).Append('\n')
                .Append("Components: ").AppendJoin(' ', entry.Components.Count == 0 ? ["main"] : entry.Components).Append('\n');
            if (entry.SignedBy is { } key) text.Append("Signed-By: ").Append(key).Append('\n');
            text.Append('\n');
        }
        if (text.Length == 0)
            throw new ImageBuildException($"No apt source under {etcApt} (sources.list, sources.list.d) has suite {suite}; the debian-12 image is built from the host's Debian mirror, so add one.");
        return text.ToString();
    }

    internal sealed record Entry(IReadOnlyList<string> Uris, IReadOnlyList<string> Suites, IReadOnlyList<string> Components, string? SignedBy);

    /// <summary><c>deb [signed-by=K arch=amd64] URI SUITE COMPONENT…</c> lines; deb-src and comments are skipped.</summary>
    internal static IEnumerable<Entry> ReadOneLine(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Split('#')[0].Trim();
            if (!line.StartsWith("deb ", StringComparison.Ordinal)) continue;
            string? signedBy = null;
            var rest = line[4..].Trim();
            if (rest.StartsWith('['))
            {
                var end = rest.IndexOf(']', StringComparison.Ordinal);
                if (end < 0) continue;
                foreach (var option in rest[1..end].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (option.StartsWith("signed-by=", StringComparison.Ordinal)) signedBy = option["signed-by=".Length..];
                rest = rest[(end + 1)..].Trim();
            }
            var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2) continue;
            yield return new Entry([words[0]], [words[1]], words[2..], signedBy);
        }
    }

    /// <summary>deb822 stanzas (<c>Types: deb</c>, <c>URIs</c>, <c>Suites</c>, <c>Components</c>, <c>Signed-By</c> as a path); <c>Enabled: no</c> is skipped.</summary>
    internal static IEnumerable<Entry> ReadDeb822(string text)
    {
        foreach (var stanza in text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string? last = null;
            foreach (var raw in stanza.Split('\n'))
            {
                if (raw.StartsWith('#') || raw.Trim().Length == 0) continue;
                if ((raw.StartsWith(' ') || raw.StartsWith('\t')) && last is not null)
                {
                    fields[last] += "\n" + raw.Trim();
                    continue;
                }
                var colon = raw.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) continue;
                last = raw[..colon].Trim();
                fields[last] = raw[(colon + 1)..].Trim();
            }
            string[] Words(string name) => fields.TryGetValue(name, out var v) ? v.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
            if (!Words("Types").Contains("deb")) continue;
            if (fields.TryGetValue("Enabled", out var enabled) && enabled.Equals("no", StringComparison.OrdinalIgnoreCase)) continue;
            // An inline key block (Signed-By followed by the armoured key) is not a path; apt's default keyrings then apply.
            var signedBy = fields.TryGetValue("Signed-By", out var key) && !key.Contains('\n') ? key : null;
            yield return new Entry(Words("URIs"), Words("Suites"), Words("Components"), signedBy);
        }
    }
}
