namespace Hangar.Secrets.Age;

/// <summary>An age file, key or recipient that cannot be read, or a file none of the given identities opens.</summary>
public sealed class AgeException : Exception
{
    public AgeException(string message) : base(message) { }

    public AgeException(string message, Exception inner) : base(message, inner) { }
}
