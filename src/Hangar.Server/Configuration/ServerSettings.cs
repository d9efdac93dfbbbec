using Hangar.Agent;
using Hangar.Server.Logging;
using Hangar.State;

namespace Hangar.Server.Configuration;

/// <summary>
/// What <c>hangar server</c> runs with, resolved from, in this order (the first that says wins): its flags, the process
/// environment (<c>HANGAR_*</c>), the environment file (<c>--env-file</c>, for secrets such as a PostgreSQL
/// password), the config file (<c>--config</c>), and the defaults. Each key has one name in all four: flag
/// <c>--tls-cert</c>, environment <c>HANGAR_TLS_CERT</c>, file key <c>tls-cert</c> (docs/cli.md, "Server
/// configuration"). An error names where the bad value came from: the flag, the variable, or the file, line and key.
/// </summary>
public sealed record ServerSettings(
    string? Listen,
    StateStoreLocation? Store,
    bool NoAgent,
    AcceleratorSetting Accel,
    bool Tls,
    string? TlsCert,
    string? TlsKey,
    bool InsecureHttp,
    Uri? Advertise = null,
    LogSettings? Log = null)
{
    /// <summary>The log's level and format (<see cref="LogSettings.Default"/> when none was given).</summary>
    public LogSettings Logging => Log ?? LogSettings.Default;

    /// <summary>Every key a config file may hold (the flags' names without <c>--</c>).</summary>
    public static readonly IReadOnlyList<string> Keys =
        ["listen", "advertise", "store", "store-password", "no-agent", "accel", "tls", "tls-cert", "tls-key", "insecure-http", "env-file", "log-level", "log-format"];

    public static string EnvironmentName(string key) => "HANGAR_" + key.Replace('-', '_').ToUpperInvariant();

    /// <param name="flags">Values of the flags given on the command line, by key (a switch given is "true").</param>
    /// <param name="configPath">The config file (<c>--config</c>, else <c>$HANGAR_CONFIG</c>); null for none.</param>
    /// <param name="environment">The process environment.</param>
    public static async Task<ServerSettings> ResolveAsync(IReadOnlyDictionary<string, string> flags, string? configPath,
        Func<string, string?> environment, CancellationToken ct)
    {
        var config = new Dictionary<string, KeyValueFile.Entry>(StringComparer.Ordinal);
        if (configPath is not null)
        {
            foreach (var entry in await KeyValueFile.ReadAsync(configPath, ct))
            {
                if (!Keys.Contains(entry.Key))
                    throw new InvalidOperationException($"{entry.Where}: '{entry.Key}' is not a server setting; valid keys: {string.Join(", ", Keys)}.");
                if (config.TryGetValue(entry.Key, out var earlier))
                    throw new InvalidOperationException($"{entry.Where}: '{entry.Key}' is set already on line {earlier.Line}.");
                config[entry.Key] = entry;
            }
        }
        var resolver = new Resolver(flags, config, environment, new Dictionary<string, KeyValueFile.Entry>(StringComparer.Ordinal));
        if (resolver.Get("env-file") is { } envFile)
        {
            foreach (var entry in await KeyValueFile.ReadAsync(envFile.Text, ct))
            {
                if (!entry.Key.StartsWith("HANGAR_", StringComparison.Ordinal) || !Keys.Any(k => EnvironmentName(k) == entry.Key) || entry.Key == "HANGAR_ENV_FILE")
                    throw new InvalidOperationException($"{entry.Where}: '{entry.Key}' is not a server setting; an environment file holds HANGAR_ variables such as HANGAR_STORE_PASSWORD.");
                resolver.EnvironmentFile[entry.Key] = entry;
            }
        }
        return resolver.Build();
    }

    /// <summary>A value and where it came from, for error messages.</summary>
    private sealed record Value(string Text, string Source);

    private sealed record Resolver(IReadOnlyDictionary<string, string> Flags, IReadOnlyDictionary<string, KeyValueFile.Entry> Config,
        Func<string, string?> Environment, Dictionary<string, KeyValueFile.Entry> EnvironmentFile)
    {
        public Value? Get(string key)
        {
            if (Flags.TryGetValue(key, out var flag)) return new Value(flag, "--" + key);
            var variable = EnvironmentName(key);
            if (Environment(variable) is { Length: > 0 } env) return new Value(env, variable);
            if (EnvironmentFile.TryGetValue(variable, out var fromFile)) return new Value(fromFile.Value, $"{fromFile.Where}: {variable}");
            if (Config.TryGetValue(key, out var entry)) return new Value(entry.Value, $"{entry.Where}: {key}");
            return null;
        }

        private bool Bool(string key)
        {
            if (Get(key) is not { } value) return false;
            return value.Text.ToLowerInvariant() switch
            {
                "true" or "yes" or "on" or "1" => true,
                "false" or "no" or "off" or "0" => false,
                _ => throw new InvalidOperationException($"{value.Source}: '{value.Text}' is not true or false."),
            };
        }

        public ServerSettings Build()
        {
            StateStoreLocation? store = null;
            if (Get("store") is { } storeText)
            {
                try { store = StateStoreLocation.Parse(storeText.Text); }
                catch (FormatException e) { throw new InvalidOperationException($"{storeText.Source}: {e.Message}", e); }
            }
            if (Get("store-password") is { } password)
            {
                if (store is not { Engine: StateStoreEngine.Postgres })
                    throw new InvalidOperationException($"{password.Source}: a store password is for a postgres: store; the store is {(store is null ? "the SQLite file in the home" : store.ToString())}.");
                store = new StateStoreLocation(StateStoreEngine.Postgres, new Npgsql.NpgsqlConnectionStringBuilder(store.Target) { Password = password.Text }.ConnectionString);
            }
            AcceleratorSetting accel;
            var accelText = Get("accel");
            try { accel = DaemonGlobals.AccelFrom(accelText?.Text ?? "auto"); }
            catch (InvalidOperationException e) { throw new InvalidOperationException($"{accelText!.Source}: {e.Message}", e); }
            var cert = Get("tls-cert");
            var key = Get("tls-key");
            if ((cert is null) != (key is null))
                throw new InvalidOperationException($"{(cert ?? key)!.Source}: give both --tls-cert and --tls-key (a PEM certificate and its private key), or neither.");
            Uri? advertise = null;
            if (Get("advertise") is { } advertiseText)
            {
                if (!Uri.TryCreate(advertiseText.Text, UriKind.Absolute, out advertise) || advertise.Scheme is not ("http" or "https") || advertise.AbsolutePath != "/")
                    throw new InvalidOperationException($"{advertiseText.Source}: '{advertiseText.Text}' is not an address for the other replicas; write it as https://HOST:PORT (http:// when the server serves plain HTTP).");
            }
            var (level, format) = (Get("log-level"), Get("log-format"));
            var log = LogSettings.Parse(level?.Text, format?.Text, level?.Source ?? "--log-level", format?.Source ?? "--log-format");
            var settings = new ServerSettings(Get("listen")?.Text, store, Bool("no-agent"), accel, Bool("tls"), cert?.Text, key?.Text, Bool("insecure-http"), advertise, log);
            if (settings.InsecureHttp && (settings.Tls || cert is not null))
                throw new InvalidOperationException($"{Get("insecure-http")!.Source}: plain HTTP was asked for together with TLS ({(cert is not null ? cert.Source : Get("tls")!.Source)}); choose one.");
            return settings;
        }
    }
}
