using System.Net;
using Hangar.Agent;
using Hangar.Agent.Metrics;
using Hangar.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hangar.Server;

/// <summary>
/// <c>hangard agent --metrics-listen</c>: a plain HTTP listener that serves one <see cref="MetricsRegistry"/> on
/// <c>GET /metrics</c> and nothing else (404). It takes no token (an agent has no API tokens to check one against), so
/// it listens on loopback unless an address beyond it is asked for by name (docs/operations.md, "Metrics").
/// </summary>
public sealed class MetricsListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDisposable? _owned;

    private MetricsListener(WebApplication app, Uri url, IDisposable? owned)
    {
        _app = app;
        Url = url;
        _owned = owned;
    }

    /// <summary>Where it serves <c>/metrics</c>, with the real port when port 0 was asked for.</summary>
    public Uri Url { get; }

    /// <summary>
    /// Reads <c>--metrics-listen</c>: <c>PORT</c> (on 127.0.0.1), <c>HOST:PORT</c> or <c>[IPv6]:PORT</c>. Port 0 picks a free one.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not an address and port, with what would be valid.</exception>
    public static (string Host, int Port) Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? "127.0.0.1" : text[..colon];
        var portText = colon < 0 ? text : text[(colon + 1)..];
        if (host.Length == 0) host = "127.0.0.1";
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535
            || (!host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(bare, out _)))
            throw new InvalidOperationException($"--metrics-listen {text}: give a port (served on 127.0.0.1), or an IP address and a port, e.g. 9464, 127.0.0.1:9464 or 0.0.0.0:9464.");
        return (bare.Contains(':') ? $"[{bare}]" : host, port);
    }

    /// <summary>Serves the metrics of <paramref name="agent"/> (<see cref="AgentMetrics"/>) at <paramref name="listen"/>, and logs where.</summary>
    public static async Task<MetricsListener> ForAgentAsync(string listen, AgentHost agent, ILogger log, CancellationToken ct)
    {
        var registry = new MetricsRegistry();
        var metrics = new AgentMetrics(agent.Reconciler, () => agent.Connection?.Connected ?? false).AddTo(registry);
        try
        {
            var listener = await StartAsync(listen, registry, metrics, ct);
            log.LogInformation("Serving metrics on {Url}", listener.Url);
            return listener;
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    /// <param name="owned">Disposed with the listener (what feeds <paramref name="registry"/>).</param>
    public static async Task<MetricsListener> StartAsync(string listen, MetricsRegistry registry, IDisposable? owned, CancellationToken ct)
    {
        var (host, port) = Parse(listen);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        var app = builder.Build();
        // A RequestDelegate, not a lambda with parameters: no request delegate is generated or compiled for it.
        app.MapGet("/metrics", (RequestDelegate)(context =>
        {
            context.Response.ContentType = ExpositionWriter.ContentType;
            return context.Response.WriteAsync(registry.Scrape(), context.RequestAborted);
        }));
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new IOException($"--metrics-listen {listen}: could not listen on {host}:{port} ({e.Message})", e);
        }
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new MetricsListener(app, new UriBuilder(address) { Path = "/metrics" }.Uri, owned);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _owned?.Dispose();
    }
}
