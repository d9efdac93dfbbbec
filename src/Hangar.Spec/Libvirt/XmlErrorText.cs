using System.Text;
using System.Xml;

namespace Hangar.Spec.Libvirt;

/// <summary>
/// What an <see cref="XmlException"/> says, without its position (which goes in front of the message). The native
/// <c>hangar</c> is built with <c>UseSystemResourceKeys</c>, so there the runtime's message is only its resource key and
/// arguments (<c>Xml_MultipleRoots, 2, 4</c>); those are made into words here, the common ones by hand.
/// </summary>
internal static class XmlErrorText
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["Xml_MultipleRoots"] = "there is more than one root element",
        ["Xml_TagMismatchEx"] = "an end tag does not match its start tag",
        ["Xml_TagMismatch"] = "an end tag does not match its start tag",
        ["Xml_UnexpectedEndTag"] = "an end tag has no start tag",
        ["Xml_UnexpectedEOF"] = "the file ends inside the XML",
        ["Xml_UnexpectedEOF1"] = "the file ends inside the XML",
        ["Xml_UnexpectedEOFInElementContent"] = "the file ends before every element is closed",
        ["Xml_MissingRoot"] = "there is no root element",
        ["Xml_InvalidRootData"] = "there is text outside the root element",
        ["Xml_DupAttributeName"] = "an attribute is given twice",
        ["Xml_UnclosedQuote"] = "a quoted value is not closed",
        ["Xml_BadStartNameChar"] = "a name starts with a character names cannot start with",
        ["Xml_BadNameChar"] = "a name holds a character names cannot hold",
        ["Xml_UndeclaredEntity"] = "it names an entity that is not declared",
        ["Xml_UnexpectedTokenEx"] = "a character is not where XML allows it",
        ["Xml_UnexpectedTokens2"] = "a character is not where XML allows it",
        ["Xml_InvalidCharacter"] = "it holds a character XML does not allow",
        ["Xml_ExpectingWhiteSpace"] = "a space is missing",
    };

    public static string Describe(XmlException e)
    {
        var message = e.Message;
        if (!message.StartsWith("Xml_", StringComparison.Ordinal))
        {
            // The runtime's English text ends with " Line N, position M."; the position is given in front already.
            var cut = message.IndexOf(" Line ", StringComparison.Ordinal);
            return cut > 0 ? message[..cut] : message;
        }
        var parts = message.Split(", ");
        var key = parts.LastOrDefault(p => p.StartsWith("Xml_", StringComparison.Ordinal) && p is not ("Xml_MessageWithErrorPosition" or "Xml_ErrorPosition")) ?? parts[0];
        var words = Known.TryGetValue(key, out var known) ? known : Words(key);
        var details = parts.Where(p => !p.StartsWith("Xml_", StringComparison.Ordinal) && !int.TryParse(p, out _) && p.Length > 0).ToArray();
        return details.Length == 0 ? words : $"{words} ({string.Join(", ", details.Select(d => $"'{d}'"))})";
    }

    /// <summary><c>Xml_SomeThingEx</c> → "some thing".</summary>
    private static string Words(string key)
    {
        var name = key["Xml_".Length..];
        if (name.EndsWith("Ex", StringComparison.Ordinal)) name = name[..^2];
        var words = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0) words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }
}
