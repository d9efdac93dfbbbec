using System.CommandLine;
using Hangar.ControlPlane;
using Hangar.Server.Configuration;
using Hangar.State;

namespace Hangar.Server;

/// <summary>
/// <c>hangar server</c>: run the control plane (and a local agent) in the foreground. <c>hangar up</c> starts one in
/// the background by itself; run this directly under systemd or to watch its log. Settings come from flags, then
/// <c>HANGAR_*</c> variables, then an environment file, then a config file (<see cref="ServerSettings"/>).
/// </summary>
public static class ServerCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen")
        {
            Description = $"Address of the API and agent endpoint, HOST:PORT (default: $HANGAR_LISTEN, else {ControlPlaneOptions.DefaultListen}). Beyond loopback it serves HTTPS.",
        };
        var advertise = new Option<string?>("--advertise")
        {
            Description = "With replicas on one PostgreSQL: the URL the other replicas reach this one at, for consoles, logs, images and gc of agents connected here (default: the --listen address, a wildcard host replaced by the host name).",
        };
        var store = new Option<string?>("--store")
        {
            Description = $"Where the control plane keeps its state: {StateStoreLocation.ValidForms} (default: $HANGAR_STORE, else sqlite:$HANGAR_HOME/control-plane/state.db). A password is better given as HANGAR_STORE_PASSWORD in --env-file.",
        };
        var noAgent = new Option<bool>("--no-agent") { Description = "Run only the control plane; agents connect from other hosts." };
        var tls = new Option<bool>("--tls") { Description = "Serve HTTPS/WSS on loopback too (beyond loopback it is the default)." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate to serve (with --tls-key); default: one Hangar makes and keeps in $HANGAR_HOME/control-plane/tls/." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of --tls-cert." };
        var insecureHttp = new Option<bool>("--insecure-http") { Description = "Serve plain HTTP beyond loopback: tokens travel in the clear. Only behind a TLS proxy or on a trusted network." };
        var config = new Option<string?>("--config") { Description = "A config file of key = value lines (listen, store, tls-cert, …; default: $HANGAR_CONFIG)." };
        var envFile = new Option<string?>("--env-file") { Description = "A file of HANGAR_*=value lines for secrets, e.g. HANGAR_STORE_PASSWORD (as systemd's EnvironmentFile)." };
        var logLevel = new Option<string?>("--log-level") { Description = DaemonGlobals.LogLevelDescription };
        var logFormat = new Option<string?>("--log-format") { Description = DaemonGlobals.LogFormatDescription };
        var detached = new Option<bool>("--detached") { Description = "Log to $HANGAR_HOME/hangar.log instead of the terminal.", Hidden = true };
        var command = new Command("server", "Run the Hangar control plane and a local agent in the foreground.")
        {
            listen, advertise, store, noAgent, DaemonGlobals.Accel, tls, tlsCert, tlsKey, insecureHttp, config, envFile, logLevel, logFormat, detached,
        };
        command.SetAction((parse, ct) => DaemonGlobals.GuardAsync(async () =>
        {
            var flags = new Dictionary<string, string>(StringComparer.Ordinal);
            void Text(Option<string?> option, string key) { if (parse.GetValue(option) is { } value) flags[key] = value; }
            void Switch(Option<bool> option, string key) { if (parse.GetResult(option) is not null) flags[key] = parse.GetValue(option) ? "true" : "false"; }
            Text(listen, "listen");
            Text(advertise, "advertise");
            Text(store, "store");
            Text(DaemonGlobals.Accel, "accel");
            Text(tlsCert, "tls-cert");
            Text(tlsKey, "tls-key");
            Text(envFile, "env-file");
            Text(logLevel, "log-level");
            Text(logFormat, "log-format");
            Switch(noAgent, "no-agent");
            Switch(tls, "tls");
            Switch(insecureHttp, "insecure-http");
            var configPath = parse.GetValue(config) ?? (Environment.GetEnvironmentVariable("HANGAR_CONFIG") is { Length: > 0 } fromEnv ? fromEnv : null);
            var settings = await ServerSettings.ResolveAsync(flags, configPath, Environment.GetEnvironmentVariable, ct);
            return await EmbeddedServer.RunAsync(DaemonGlobals.ResolveHome(parse), settings, parse.GetValue(detached), ct);
        }));
        return command;
    }
}
