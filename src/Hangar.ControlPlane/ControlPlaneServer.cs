using Hangar.ControlPlane.Agents;
using Hangar.ControlPlane.Api;
using Hangar.ControlPlane.Fleet;
using Hangar.Protocol.Agent;
using Hangar.Spec;
using Hangar.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
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

    public FleetService Fleet => _app.Services.GetRequiredService<FleetService>();

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
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        var store = await StateStores.OpenAsync(options.Store, ct);
        var agentStore = await StateStores.OpenAgentStoreAsync(options.Store, ct);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IStateStore>(store);
        builder.Services.AddSingleton<IAgentStore>(agentStore);
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddSingleton<FleetService>();
        builder.Services.AddSingleton<AgentEndpoint>();

        var app = builder.Build();
        await app.Services.GetRequiredService<FleetService>().InitializeAsync(ct);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.UseMiddleware<ErrorMapping>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") && !TokenAuth.Matches(context.Request, options.ApiToken))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new Hangar.Protocol.Api.ApiError(Hangar.Protocol.Api.ApiErrorCodes.Unauthorized, "Missing or wrong API token."), Hangar.Protocol.HangarJson.Info<Hangar.Protocol.Api.ApiError>());
                return;
            }
            await next(context);
        });
        app.Map(AgentProtocol.Path, (HttpContext context, AgentEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapPost(AgentProtocol.JoinPath, JoinEndpoint.HandleAsync);
        ApiEndpoints.Map(app);
        var shutdown = new CancellationTokenSource();
        app.MapPost("/api/v1/shutdown", () =>
        {
            shutdown.CancelAfter(TimeSpan.FromMilliseconds(100)); // let this answer reach the client first
            return Results.Json(new Hangar.Protocol.Api.ShutdownResponse(Stopping: true), Hangar.Protocol.HangarJson.Info<Hangar.Protocol.Api.ShutdownResponse>());
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ControlPlaneServer(app, new Uri(address), shutdown);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await Fleet.DisposeAsync();
        await _app.Services.GetRequiredService<IStateStore>().DisposeAsync();
        await _app.Services.GetRequiredService<IAgentStore>().DisposeAsync();
        await _app.DisposeAsync();
        _shutdown.Dispose();
    }
}
