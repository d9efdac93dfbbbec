namespace Hangar.State;

/// <summary>A <see cref="GenerationStatus"/> as the database stores it and people read it.</summary>
public static class GenerationStatusText
{
    public static string ToText(this GenerationStatus status) => status switch
    {
        GenerationStatus.RollingOut => "rolling-out",
        GenerationStatus.Active => "active",
        GenerationStatus.Superseded => "superseded",
        GenerationStatus.Failed => "failed",
        GenerationStatus.RolledBack => "rolled-back",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <exception cref="InvalidDataException">The text is not a status: the database was written by something else.</exception>
    public static GenerationStatus Parse(string text) => text switch
    {
        "rolling-out" => GenerationStatus.RollingOut,
        "active" => GenerationStatus.Active,
        "superseded" => GenerationStatus.Superseded,
        "failed" => GenerationStatus.Failed,
        "rolled-back" => GenerationStatus.RolledBack,
        _ => throw new InvalidDataException($"Unknown generation status '{text}' in the database"),
    };
}
