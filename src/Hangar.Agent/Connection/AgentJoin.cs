using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;

namespace Hangar.Agent.Connection;

/// <summary>
/// The agent's side of joining: exchanges a join token for a credential once (<c>POST /agent/join</c>), and turns the
/// server address the user gave (<c>http://host:port</c>, or an old-style <c>ws://host:port/agent/ws</c>) into the
/// two endpoints.
/// </summary>
public static class AgentJoin
{
    /// <summary>The server's base address: http(s), host and port, whatever form <paramref name="server"/> had.</summary>
    public static Uri BaseUrl(Uri server)
    {
        var scheme = server.Scheme switch
        {
            "ws" or "http" => "http",
            "wss" or "https" => "https",
            _ => throw new InvalidOperationException($"--server {server}: use an http:// or https:// address (e.g. http://10.0.0.1:7600)."),
        };
        return new UriBuilder(scheme, server.Host, server.Port).Uri;
    }

    public static Uri SocketUrl(Uri server)
    {
        var b = BaseUrl(server);
        return new UriBuilder(b) { Scheme = b.Scheme == "https" ? "wss" : "ws", Path = AgentProtocol.Path }.Uri;
    }

    /// <summary>Joins, or throws <see cref="AgentRefusedException"/> with the control plane's reason.</summary>
    /// <param name="pin">The server's certificate, checked in the TLS handshake before the token is sent; kept in the
    /// credential for every later connection. Null to trust the system's certificate authorities.</param>
    public static async Task<AgentCredential> JoinAsync(Uri server, string joinToken, string name, IReadOnlyDictionary<string, string>? labels,
        Hangar.Protocol.Tls.CertificatePin? pin, CancellationToken ct)
    {
        var url = new Uri(BaseUrl(server), AgentProtocol.JoinPath);
        var handler = new SocketsHttpHandler();
        if (pin is not null) handler.SslOptions.RemoteCertificateValidationCallback = pin.Validate;
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new AgentJoinRequest(name, labels), AgentJsonContext.Default.AgentJoinRequest),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", joinToken);
        HttpResponseMessage sent;
        try
        {
            sent = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e) when (pin is { Seen: not null })
        {
            throw new AgentRefusedException(pin.MismatchMessage(server), e);
        }
        using var response = sent;
        if (!response.IsSuccessStatusCode)
        {
            ApiError? error = null;
            try { error = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.ApiError, ct); }
            catch (JsonException) { }
            throw new AgentRefusedException($"The control plane at {BaseUrl(server)} refused to let this agent join ({(int)response.StatusCode}): " +
                (error?.Message ?? response.ReasonPhrase));
        }
        var joined = await response.Content.ReadFromJsonAsync(AgentJsonContext.Default.AgentJoinResponse, ct)
            ?? throw new InvalidOperationException("The control plane answered the join with an empty body.");
        return new AgentCredential(BaseUrl(server).ToString(), joined.Name, joined.Credential) { ServerFingerprint = pin?.Fingerprint };
    }
}
