using System.Net;
using System.Net.Http;
using Hangar.Spec;

namespace Hangar.Agent.Health;

/// <summary>
/// An <c>http</c> check: <c>GET path</c> through the guest port's forward, on a new connection each time. Only the
/// guest's server can answer with a status line (QEMU's forward closes a connection the guest refuses), so a
/// response is proof of a live server; its status must be one the check accepts.
/// </summary>
public sealed class HttpProbe : IHealthProbe
{
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly HttpHealthCheck _check;

    public HttpProbe(int hostPort, HttpHealthCheck check)
    {
        _check = check;
        // The path goes out exactly as written: no folding of "/./" or "..", which would ask for another resource.
        _uri = new Uri($"http://127.0.0.1:{hostPort}{check.Path}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect is a status like any other; the check decides about it
            PooledConnectionLifetime = TimeSpan.Zero,
            UseProxy = false,
            UseCookies = false,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<ProbeResult> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri) { Version = HttpVersion.Version11 };
        request.Headers.ConnectionClose = true;
        request.Headers.UserAgent.ParseAdd("hangar-health/1");
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            return _check.Accepts(status)
                ? ProbeResult.Pass($"GET {_check.Path} on port {_check.GuestPort} answered {status}")
                : ProbeResult.Fail($"GET {_check.Path} on port {_check.GuestPort} answered {status}, expected {_check.StatusText}");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Fail($"GET {_check.Path} on port {_check.GuestPort} got no answer from the guest ({e.HttpRequestError})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Fail($"GET {_check.Path} on port {_check.GuestPort} got no answer within {timeout.TotalSeconds:0.#}s");
        }
    }

    public void Dispose() => _client.Dispose();
}
