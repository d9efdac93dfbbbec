namespace Hangar.Images.Debian;

/// <summary>Fields of one RFC 822-style stanza as printed by <c>apt-cache show</c>.</summary>
internal sealed class AptStanza
{
    private readonly Dictionary<string, string> _fields;

    private AptStanza(Dictionary<string, string> fields) => _fields = fields;

    /// <summary>Parses every stanza of <paramref name="text"/>; continuation lines (starting with a space) are joined.</summary>
    public static List<AptStanza> ParseAll(string text)
    {
        var stanzas = new List<AptStanza>();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? lastKey = null;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (fields.Count > 0)
                {
                    stanzas.Add(new AptStanza(fields));
                    fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    lastKey = null;
                }

                continue;
            }

            if (char.IsWhiteSpace(line[0]))
            {
                if (lastKey is not null)
                {
                    fields[lastKey] += "\n" + line.Trim();
                }

                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            lastKey = line[..colon];
            fields[lastKey] = line[(colon + 1)..].Trim();
        }

        if (fields.Count > 0)
        {
            stanzas.Add(new AptStanza(fields));
        }

        return stanzas;
    }

    public string? this[string field] => _fields.GetValueOrDefault(field);

    /// <summary>Package names in a Depends-style field, first alternative of each, without version constraints.</summary>
    public IEnumerable<string> DependencyNames(string field) =>
        (this[field] ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(dependency => dependency.Split('|')[0].Trim())
            .Select(alternative => alternative.Split(' ', '(', ':')[0])
            .Where(name => name.Length > 0);
}
