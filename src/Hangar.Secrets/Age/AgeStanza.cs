using System.Text;

namespace Hangar.Secrets.Age;

/// <summary>One recipient stanza of an age header: <c>-&gt; TYPE ARG…</c>, then its body in base64 lines of 64 columns.</summary>
internal sealed record AgeStanza(string Type, IReadOnlyList<string> Args, byte[] Body)
{
    /// <summary>The stanza as the header has it, ending with a newline.</summary>
    public void WriteTo(StringBuilder header)
    {
        header.Append("-> ").Append(Type);
        foreach (var arg in Args) header.Append(' ').Append(arg);
        header.Append('\n');
        var body = AgeCrypto.Base64(Body);
        // Lines of 64 columns; the last one is shorter (empty when the body fills its lines).
        for (var at = 0; ; at += 64)
        {
            var line = body.Length - at >= 64 ? body.Substring(at, 64) : body[at..];
            header.Append(line).Append('\n');
            if (line.Length < 64) break;
        }
    }
}
