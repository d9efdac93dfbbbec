namespace Hangar.State;

/// <summary>The databases an <see cref="IStateStore"/> can live in.</summary>
public enum StateStoreEngine
{
    /// <summary>One file on the control plane's host; one control-plane process at a time.</summary>
    Sqlite,
    /// <summary>A PostgreSQL database; several control-plane processes may share it.</summary>
    Postgres,
}
