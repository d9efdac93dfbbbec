namespace Hangar.State;

/// <summary>The state database failed; the inner exception says how.</summary>
public sealed class StateStoreException : Exception
{
    public StateStoreException(string message) : base(message) { }
    public StateStoreException(string message, Exception inner) : base(message, inner) { }
}
