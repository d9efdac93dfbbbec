namespace Hangar.Qemu;

/// <summary>QEMU answered a command with an <c>error</c> reply.</summary>
/// <remarks>Decide by <see cref="Class"/> (e.g. <c>CommandNotFound</c>, <c>GenericError</c>, <c>DeviceNotFound</c>),
/// never by the description's text.</remarks>
public sealed class QmpCommandException : QmpException
{
    public QmpCommandException(string command, string errorClass, string description)
        : base($"QEMU refused the QMP command '{command}': {errorClass}: {description}")
    {
        Command = command;
        Class = errorClass;
        Description = description;
    }

    public string Command { get; }

    /// <summary>QMP's error class.</summary>
    public string Class { get; }

    /// <summary>QEMU's human-readable description.</summary>
    public string Description { get; }
}
