namespace Hangar.Spec.Parsing;

/// <summary>Collects every error of one fleet file; the reader keeps walking after each one.</summary>
internal sealed class ErrorCollector(string fileName)
{
    private readonly List<SpecError> _errors = [];

    public int Count => _errors.Count;

    public void Add(SourcePosition at, string path, string message) =>
        _errors.Add(new SpecError(fileName, at.Line, at.Column, path, message));

    public void Add(YamlNode at, string path, string message) => Add(at.Start, path, message);

    /// <summary>The errors in file order (cross-field checks run after the walk, so they are sorted in).</summary>
    public ValueList<SpecError> ToValueList() =>
        new(_errors.OrderBy(e => e.Line).ThenBy(e => e.Column));
}
