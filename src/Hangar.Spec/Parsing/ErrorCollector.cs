namespace Hangar.Spec.Parsing;

/// <summary>
/// Collects the errors of one fleet file; the reader keeps walking after each one, up to
/// <see cref="SpecLimits.MaxErrors"/>. The error after that stops the walk.
/// </summary>
internal sealed class ErrorCollector(string fileName)
{
    private readonly List<SpecError> _errors = [];
    private SpecError? _stop;

    public int Count => _errors.Count + (_stop is null ? 0 : 1);

    /// <exception cref="LimitReachedException">This file already has <see cref="SpecLimits.MaxErrors"/> errors.</exception>
    public void Add(SourcePosition at, string path, string message)
    {
        if (_errors.Count >= SpecLimits.MaxErrors)
        {
            throw new LimitReachedException(at,
                $"Stopped after {SpecLimits.MaxErrors} errors, the most reported for one file; there are more from here on, fix these first");
        }
        _errors.Add(new SpecError(fileName, at.Line, at.Column, path, message));
    }

    public void Add(YamlNode at, string path, string message) => Add(at.Start, path, message);

    /// <summary>Records why reading stopped early; it is reported after every other error.</summary>
    public void Stop(LimitReachedException reason) =>
        _stop = new SpecError(fileName, reason.At.Line, reason.At.Column, "", reason.Message);

    /// <summary>
    /// The errors in file order (cross-field checks run after the walk, so they are sorted in), then the reason
    /// reading stopped, if it did.
    /// </summary>
    public ValueList<SpecError> ToValueList()
    {
        var sorted = _errors.OrderBy(e => e.Line).ThenBy(e => e.Column);
        return new(_stop is null ? sorted : sorted.Append(_stop));
    }
}
