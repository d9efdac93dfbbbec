using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Api;
using Hangar.ControlPlane.Auth;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Spec;
using Hangar.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane;

/// <summary>
/// A running control plane: the REST API on <c>/api/v1</c>, the agent endpoints on <c>/agent/join</c> and
/// <c>/agent/ws</c>, state in SQLite or PostgreSQL (<see cref="ControlPlaneOptions.Store"/>).
/// </summary>
public sealed class ControlPlaneServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _shutdown;

    private ControlPlaneServer(WebApplication app, Uri url, CancellationTokenSource shutdown)
    {
        _app = app;
        Url = url;
        _shutdown = shutdown;
    }

    /// <summary>Cancelled when a client asked the server to stop (<c>POST /api/v1/shutdown</c>, used by <c>hangar down</c>).</summary>
    public CancellationToken ShutdownRequested => _shutdown.Token;

    /// <summary>The address it listens on, with the real port when port 0 was asked for.</summary>
    public Uri Url { get; }

    public Uri AgentUrl => new UriBuilder(Url) { Scheme = Url.Scheme == "https" ? "wss" : "ws", Path = AgentProtocol.Path }.Uri;

    /// <summary>Whether this start wrote a new admin token to <see cref="ControlPlaneOptions.AdminTokenPath"/>.</summary>
    public bool AdminTokenWritten { get; private init; }

    /// <summary>The SHA-256 fingerprint of the certificate it serves (<c>sha256:…</c>); null for plain HTTP.</summary>
    public string? Fingerprint { get; private init; }

    /// <summary>The endpoints it serves, for the test that checks every one has a role (<see cref="EndpointRoles"/>).</summary>
    public IReadOnlyList<Endpoint> Endpoints => _app.Services.GetServices<EndpointDataSource>().SelectMany(d => d.Endpoints).ToArray();

    /// <summary>What <c>GET /metrics</c> serves: the control plane's metrics, and whatever else this process adds (its local agent's).</summary>
    public Hangar.Metrics.MetricsRegistry Metrics => _app.Services.GetRequiredService<Hangar.Metrics.MetricsRegistry>();

    public FleetService Fleet => _app.Services.GetRequiredService<FleetService>();

    /// <summary>Set to the agent of this process once it runs, so that <c>GET /api/v1/vms/NAME/xml</c> can describe its VMs.</summary>
    public LocalAgentDomains LocalDomains => _app.Services.GetRequiredService<LocalAgentDomains>();

    /// <summary>
    /// A credential for the agent named <paramref name="name"/> that runs in this process (<c>hangar up</c>): issued
    /// in-process, with no join token; the agent's previous credential stops working.
    /// </summary>
    public Task<string> IssueLocalAgentCredentialAsync(string name, CancellationToken ct) => Fleet.IssueAgentCredentialAsync(name, ct);

    public static async Task<ControlPlaneServer> StartAsync(ControlPlaneOptions options, Action<ILoggingBuilder>? logging, CancellationToken ct)
    {
        // The empty builder: Kestrel and routing only. The slim one would also read appsettings.json from the current
        // directory (with a file watcher thread), ASPNETCORE_* variables and the command line, none of which configure
        // Hangar, and load their assemblies (bench/README.md, "What the server's memory holds").
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseUrls(options.Listen);
        // Every body the API reads is bounded: a fleet file is capped (SpecLimits.MaxFileBytes), and its request too,
        // before a byte of it is buffered. A larger one is answered 413 by ErrorMapping.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = SpecLimits.MaxRequestBodyBytes);
        ServerTls.Configure(builder.WebHost, options.Certificate);
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var store = await StateStores.OpenAsync(options.Store, ct);
        var agentStore = await StateStores.OpenAgentStoreAsync(options.Store, ct);
        var apiTokenStore = await StateStores.OpenApiTokenStoreAsync(options.Store, ct);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IStateStore>(store);
        builder.Services.AddSingleton<IAgentStore>(agentStore);
        builder.Services.AddSingleton(apiTokenStore);
        builder.Services.AddSingleton<ApiTokens>();
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddSingleton(new Hangar.Images.Store.ContentStore(options.ImagesDirectory));
        // On a store that several control planes may share, this one is a replica: elected leader or following.
        if (await StateStores.OpenReplicationAsync(options.Store, options.ReplicaId, ct) is var (leaderLock, feed, observed, directory))
            builder.Services.AddSingleton(new Replicas.ControlPlaneReplica(options.ReplicaId, leaderLock, feed, observed, directory));
        builder.Services.AddSingleton<FleetService>();
        builder.Services.AddSingleton<AgentEndpoint>();
        builder.Services.AddSingleton<LocalAgentDomains>();
        builder.Services.AddSingleton<Hangar.Metrics.MetricsRegistry>();

        var app = builder.Build();
        await app.Services.GetRequiredService<FleetService>().InitializeAsync(ct);
        app.Services.GetRequiredService<Hangar.Metrics.MetricsRegistry>().Add(app.Services.GetRequiredService<FleetService>().Metrics);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.UseMiddleware<ErrorMapping>();
        app.UseMiddleware<ApiAuthorization>();
        app.Map(AgentProtocol.Path, (HttpContext context, AgentEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapPost(AgentProtocol.JoinPath, JoinEndpoint.HandleAsync);
        ApiEndpoints.Map(app);
        ApiTokenEndpoints.Map(app);
        ImageEndpoints.Map(app);
        ReplicaEndpoints.Map(app);
        MetricsEndpoint.Map(app);
        var shutdown = new CancellationTokenSource();
        app.MapPost("/api/v1/shutdown", () =>
        {
            shutdown.CancelAfter(TimeSpan.FromMilliseconds(100)); // let this answer reach the client first
            return Results.Json(new Hangar.Protocol.Api.ShutdownResponse(Stopping: true), Hangar.Protocol.HangarJson.Info<Hangar.Protocol.Api.ShutdownResponse>());
        });
        var adminTokenWritten = options.AdminTokenPath is { } adminPath && await app.Services.GetRequiredService<ApiTokens>().EnsureAdminTokenAsync(adminPath, ct);
        await app.StartAsync(ct);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var fingerprint = options.Certificate is { } cert ? Hangar.Protocol.Tls.CertificatePin.FingerprintOf(cert) : null;
        // With replicas: where the others reach this one (logs, consoles, gc, images), once it listens.
        await app.Services.GetRequiredService<FleetService>().RegisterReplicaAsync(options.Advertise ?? Advertised(address), fingerprint, ct);
        return new ControlPlaneServer(app, address, shutdown)
        {
            AdminTokenWritten = adminTokenWritten,
            Fingerprint = fingerprint,
        };
    }

    /// <summary>The address the other replicas use by default: the one it listens on, with a wildcard host (0.0.0.0, [::])
    /// replaced by this machine's host name.</summary>
    public static Uri Advertised(Uri listening) => listening.Host is "0.0.0.0" or "[::]" or "::" or "+" or "*"
        ? new UriBuilder(listening) { Host = System.Net.Dns.GetHostName() }.Uri
        : listening;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await Fleet.DisposeAsync();
        await _app.Services.GetRequiredService<IStateStore>().DisposeAsync();
        await _app.Services.GetRequiredService<IAgentStore>().DisposeAsync();
        await _app.Services.GetRequiredService<IApiTokenStore>().DisposeAsync();
        await _app.DisposeAsync();
        _shutdown.Dispose();
    }
}
