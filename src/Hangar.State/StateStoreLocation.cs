using Npgsql;

namespace Hangar.State;

/// <summary>
/// Where the state lives, as a user writes it: <c>sqlite:PATH</c> or <c>postgres:CONNSTRING</c> (an Npgsql connection
/// string, e.g. <c>postgres:Host=/run/postgresql;Database=hangar;Username=hangar</c>). Its <see cref="ToString"/> masks
/// a password, so a location can be logged; <see cref="Target"/> holds the secret and is only for opening the store.
/// </summary>
public sealed record StateStoreLocation(StateStoreEngine Engine, string Target)
{
    public const string ValidForms = "sqlite:PATH or postgres:CONNSTRING (e.g. postgres:Host=/run/postgresql;Database=hangar)";

    public static StateStoreLocation Sqlite(string path) => new(StateStoreEngine.Sqlite, path);

    /// <exception cref="FormatException">The text names no engine, an unknown one, or an unreadable connection string.
    /// The message never repeats the connection string: it may hold a password.</exception>
    public static StateStoreLocation Parse(string text)
    {
        var colon = text.IndexOf(':');
        var engine = colon < 0 ? text : text[..colon];
        var target = colon < 0 ? "" : text[(colon + 1)..];
        switch (engine)
        {
            case "sqlite" when target.Trim().Length > 0:
                return new StateStoreLocation(StateStoreEngine.Sqlite, target);
            case "sqlite":
                throw new FormatException($"Store 'sqlite:' needs a file path; use {ValidForms}.");
            case "postgres" or "postgresql":
                NpgsqlConnectionStringBuilder builder;
                try
                {
                    builder = new NpgsqlConnectionStringBuilder(target);
                }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
                {
                    // The inner exception is left out on purpose: its message may quote a value of the connection
                    // string, and a printed stack trace is how passwords end up in logs.
                    throw new FormatException($"Store 'postgres:…' is not a valid connection string; use {ValidForms}.");
                }
                if (string.IsNullOrEmpty(builder.Host))
                    throw new FormatException($"Store 'postgres:…' has no Host; use {ValidForms}.");
                return new StateStoreLocation(StateStoreEngine.Postgres, target);
            default:
                var shown = colon < 0 || engine.Length > 20 ? "" : $" '{engine}:…'";
                throw new FormatException($"Store{shown} is not valid; use {ValidForms}.");
        }
    }

    /// <summary>The location with any password replaced by <c>***</c>: safe to log and print.</summary>
    public override string ToString()
    {
        if (Engine == StateStoreEngine.Sqlite) return "sqlite:" + Target;
        var builder = new NpgsqlConnectionStringBuilder(Target);
        if (!string.IsNullOrEmpty(builder.Password)) builder.Password = "***";
        return "postgres:" + builder.ConnectionString;
    }
}
