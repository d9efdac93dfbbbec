using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Hangar.Spec.Libvirt;

/// <summary>Reading a domain file safely, and naming its elements and values for errors and notes.</summary>
internal static class LibvirtXml
{
    /// <summary>The most characters a domain file may hold; libvirt's own domains are a few KiB.</summary>
    public const long MaxCharacters = 4 * 1024 * 1024;

    /// <summary>
    /// Parses <paramref name="text"/> with no DTD (a <c>&lt;!DOCTYPE&gt;</c> is refused before anything is expanded,
    /// so an entity bomb costs nothing), no resolver (no external entity or schema is fetched) and a size bound.
    /// </summary>
    public static XDocument Load(string text, string file)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCharacters,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            return XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            if (text.IndexOf("<!DOCTYPE", StringComparison.Ordinal) is var doctype and >= 0)
            {
                var line = 1 + text.AsSpan(0, doctype).Count('\n');
                var column = doctype - (text.LastIndexOf('\n', Math.Max(0, doctype - 1)) + 1) + 1;
                throw new LibvirtImportException(file, line, column,
                    "A DTD (<!DOCTYPE …>) is not allowed: Hangar reads a libvirt domain without entities (libvirt writes none), so nothing in it is expanded or fetched.", e);
            }
            throw new LibvirtImportException(file, Math.Max(1, e.LineNumber), Math.Max(1, e.LinePosition), $"Not well-formed XML: {XmlErrorText.Describe(e)}", e);
        }
    }

    public static (int Line, int Column) Position(XObject node) =>
        node is IXmlLineInfo info && info.HasLineInfo() ? (info.LineNumber, info.LinePosition) : (1, 1);

    /// <summary>Where <paramref name="element"/> is, from the domain: <c>devices/disk[2]</c>, <c>devices/graphics[@type='spice']</c>.</summary>
    public static string Location(XElement element)
    {
        var parts = new List<string>();
        for (var e = element; e.Parent is not null; e = e.Parent) parts.Add(Step(e));
        parts.Reverse();
        return parts.Count == 0 ? "domain" : string.Join('/', parts);
    }

    private static string Step(XElement e)
    {
        var name = e.Name.Namespace == XNamespace.None ? e.Name.LocalName : $"{Prefix(e)}{e.Name.LocalName}";
        var same = e.Parent!.Elements(e.Name).ToArray();
        if (e.Attribute("type")?.Value is { } type && same.Count(s => s.Attribute("type")?.Value == type) == 1)
            return $"{name}[@type='{type}']";
        return same.Length == 1 ? name : $"{name}[{Array.IndexOf(same, e) + 1}]";
    }

    private static string Prefix(XElement e) => e.GetPrefixOfNamespace(e.Name.Namespace) is { Length: > 0 } p ? p + ":" : "";

    /// <summary>A libvirt size (<c>&lt;memory unit='GiB'&gt;4&lt;/memory&gt;</c>): the unit defaults to KiB; k, M, G… are binary, KB, MB, GB… decimal.</summary>
    public static long Bytes(XElement element, string file)
    {
        var unit = element.Attribute("unit")?.Value ?? "KiB";
        long factor = unit switch
        {
            "b" or "bytes" => 1,
            "KB" => 1000,
            "k" or "K" or "KiB" => 1024,
            "MB" => 1000_000,
            "M" or "MiB" => 1024L * 1024,
            "GB" => 1000_000_000,
            "G" or "GiB" => 1024L * 1024 * 1024,
            "TB" => 1000_000_000_000,
            "T" or "TiB" => 1024L * 1024 * 1024 * 1024,
            _ => throw Error(element, file, $"<{element.Name.LocalName}> has unit '{unit}'; libvirt's units are b, KB, KiB, MB, MiB, GB, GiB, TB, TiB."),
        };
        var value = Number(element, file);
        try
        {
            return checked(value * factor);
        }
        catch (OverflowException e)
        {
            throw Error(element, file, $"<{element.Name.LocalName}> is {value} {unit}, more than Hangar can hold.", e);
        }
    }

    public static long Number(XElement element, string file) =>
        long.TryParse(element.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw Error(element, file, $"<{element.Name.LocalName}> is '{element.Value.Trim()}'; it must be a whole number.");

    public static int? Port(XAttribute? attribute, string file)
    {
        if (attribute is null) return null;
        return int.TryParse(attribute.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw Error(attribute, file, $"{attribute.Name.LocalName}='{attribute.Value}' is not a port (1..65535).");
    }

    public static LibvirtImportException Error(XObject node, string file, string message, Exception? inner = null)
    {
        var (line, column) = Position(node);
        return new LibvirtImportException(file, line, column, message, inner);
    }
}
