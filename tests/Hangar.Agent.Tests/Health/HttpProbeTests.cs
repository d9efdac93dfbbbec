using System.Net;
using System.Net.Sockets;
using System.Text;
using Hangar.Agent.Health;
using Hangar.Spec;

namespace Hangar.Agent.Tests.Health;

/// <summary>The http probe against a real socket that answers like a guest's server would (or would not).</summary>
public sealed class HttpProbeTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private string? _requestLine;

    public HttpProbeTests() => _listener.Start();

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private static HttpHealthCheck Check(string path = "/healthz", params HttpStatusRange[] status) =>
        new(80, path, status.Length == 0 ? SpecDefaults.HttpStatus : new ValueList<HttpStatusRange>(status));

    /// <summary>Answers one request with <paramref name="status"/>, remembering its request line.</summary>
    private Task ServeOnceAsync(int status) => Task.Run(async () =>
    {
        using var client = await _listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        _requestLine = await reader.ReadLineAsync();
        while (await reader.ReadLineAsync() is { Length: > 0 }) { }
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    });

    [Fact]
    public async Task Check_AcceptedStatus_PassesAndSendsThePathAsWritten()
    {
        var server = ServeOnceAsync(204);
        using var probe = new HttpProbe(Port, Check("/a/../healthz?x=1"));
        var result = await probe.CheckAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await server;
        Assert.Equal(ProbeResult.Pass("GET /a/../healthz?x=1 on port 80 answered 204"), result);
        Assert.Equal("GET /a/../healthz?x=1 HTTP/1.1", _requestLine);
    }

    [Fact]
    public async Task Check_OtherStatus_FailsNamingWhatWasExpected()
    {
        var server = ServeOnceAsync(503);
        using var probe = new HttpProbe(Port, Check("/", new HttpStatusRange(200, 200), new HttpStatusRange(301, 302)));
        var result = await probe.CheckAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await server;
        Assert.Equal(ProbeResult.Fail("GET / on port 80 answered 503, expected 200,301-302"), result);
    }

    [Fact]
    public async Task Check_ConnectionClosedWithoutAnswer_Fails()
    {
        // As QEMU's forward does when the guest refuses: accept, then close. HttpClient retries such a request once on
        // a new connection, so close every connection.
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        using var probe = new HttpProbe(Port, Check());
        var result = await probe.CheckAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await stop.CancelAsync();
        await server;
        Assert.False(result.Passed);
        Assert.StartsWith("GET /healthz on port 80 got no answer from the guest", result.Detail);
    }

    [Fact]
    public async Task Check_SilentServer_FailsAtItsTimeout()
    {
        using var probe = new HttpProbe(Port, Check()); // accepted by the kernel's backlog, never answered
        var result = await probe.CheckAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        Assert.Equal(ProbeResult.Fail("GET /healthz on port 80 got no answer within 0.5s"), result);
    }

    public void Dispose() => _listener.Stop();
}
