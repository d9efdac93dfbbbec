using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Hangar.Spec.Parsing;

/// <summary>
/// YamlDotNet's parser, with every failure on malformed text turned into a <see cref="YamlException"/>. Its scanner
/// throws a bare <see cref="InvalidOperationException"/> for some input (a flow collection, <c>{</c> or <c>[</c>,
/// continued on a line indented less than the block around it: <c>x: {a: 1\n- y</c>, found by the fuzz test), and
/// a fleet file that is not YAML must be an error in the file, never a crash.
/// </summary>
internal sealed class GuardedParser(IParser inner) : IParser
{
    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        try
        {
            return inner.MoveNext();
        }
        catch (Exception e) when (e is not YamlException)
        {
            // The scanner does not say where it stopped; the end of the last event read is the closest known place.
            var at = inner.Current?.End ?? Mark.Empty;
            throw new YamlException(at, at,
                "Cannot read the YAML after this point; check the brackets and the indentation of the lines that follow", e);
        }
    }
}
