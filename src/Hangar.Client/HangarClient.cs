using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Protocol.Tls;

namespace Hangar.Client;

/// <summary>The typed client of the control plane's REST API (docs/api.md). Every CLI command goes through it.</summary>
public sealed class HangarClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly string _token;
    private readonly CertificatePin? _pin;

    /// <param name="pin">The server's certificate fingerprint: the only certificate accepted, checked before the token is
    /// sent. Null to trust the system's certificate authorities (or for plain http://).</param>
    public HangarClient(Uri baseUrl, string token, CertificatePin? pin = null)
    {
        _baseUrl = baseUrl;
        _token = token;
        _pin = pin;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = Validate;
        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The fingerprint of the certificate the server presented (<c>sha256:…</c>), once a request went over HTTPS.</summary>
    public string? ServerFingerprint { get; private set; }

    /// <summary>The pinned certificate and nothing else; without a pin, what the system's authorities trust.</summary>
    private bool Validate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, System.Net.Security.SslPolicyErrors errors)
    {
        if (certificate is not null) ServerFingerprint = CertificatePin.FingerprintOf(certificate);
        return _pin?.Matches(certificate) ?? errors == System.Net.Security.SslPolicyErrors.None;
    }

    /// <summary>The server's address.</summary>
    public Uri BaseUrl => _baseUrl;

    public Task<JoinTokenResponse> CreateJoinTokenAsync(JoinTokenRequest request, CancellationToken ct) =>
        PostAsync<JoinTokenRequest, JoinTokenResponse>("api/v1/tokens", request, ct);

    public Task<AuthInfo> AuthAsync(CancellationToken ct) => GetAsync<AuthInfo>("api/v1/auth", ct);

    public Task<ApiTokenResponse> CreateApiTokenAsync(ApiTokenRequest request, CancellationToken ct) =>
        PostAsync<ApiTokenRequest, ApiTokenResponse>("api/v1/api-tokens", request, ct);

    public Task<IReadOnlyList<ApiTokenInfo>> ApiTokensAsync(CancellationToken ct) => GetAsync<IReadOnlyList<ApiTokenInfo>>("api/v1/api-tokens", ct);

    public async Task<ApiTokenInfo> RevokeApiTokenAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/api-tokens/{Uri.EscapeDataString(id)}"), HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync(ApiJson.Info<ApiTokenInfo>(), ct))!;
    }

    public Task<IReadOnlyList<AgentInfo>> AgentsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<AgentInfo>>("api/v1/agents", ct);

    public Task<AgentInfo> AgentAsync(string name, CancellationToken ct) => GetAsync<AgentInfo>($"api/v1/agents/{Uri.EscapeDataString(name)}", ct);

    /// <summary><c>cordon</c> or <c>uncordon</c>.</summary>
    public Task<AgentInfo> AgentActionAsync(string name, string action, CancellationToken ct) =>
        PostAsync<EmptyRequest, AgentInfo>($"api/v1/agents/{Uri.EscapeDataString(name)}/{action}", EmptyRequest.Instance, ct);

    /// <summary>Cordons the agent and starts its drain (<c>hangar agent drain</c>); answers at once, with the drain under way.</summary>
    public Task<AgentInfo> DrainAgentAsync(string name, AgentDrainRequest request, CancellationToken ct) =>
        PostAsync<AgentDrainRequest, AgentInfo>($"api/v1/agents/{Uri.EscapeDataString(name)}/drain", request, ct);

    /// <summary>Sets and removes labels of an agent (<c>hangar agent label</c>).</summary>
    public Task<AgentInfo> SetAgentLabelsAsync(string name, AgentLabelsRequest request, CancellationToken ct) =>
        PostAsync<AgentLabelsRequest, AgentInfo>($"api/v1/agents/{Uri.EscapeDataString(name)}/labels", request, ct);

    public async Task<AgentInfo> RemoveAgentAsync(string name, bool force, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/agents/{Uri.EscapeDataString(name)}?force={(force ? "true" : "false")}"),
            HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync(ApiJson.Info<AgentInfo>(), ct))!;
    }

    public Task<ApplyResponse> ApplyAsync(ApplyRequest request, CancellationToken ct) => PostAsync<ApplyRequest, ApplyResponse>("api/v1/apply", request, ct);

    public Task<PlanResponse> PlanAsync(ApplyRequest request, CancellationToken ct) => PostAsync<ApplyRequest, PlanResponse>("api/v1/plan", request, ct);

    public Task<ApplyResponse> RollbackAsync(RollbackRequest request, CancellationToken ct) => PostAsync<RollbackRequest, ApplyResponse>("api/v1/rollback", request, ct);

    public Task<IReadOnlyList<GenerationInfo>> GenerationsAsync(CancellationToken ct) => GetAsync<IReadOnlyList<GenerationInfo>>("api/v1/generations", ct);

    public Task<GenerationDetail> GenerationAsync(long number, CancellationToken ct) => GetAsync<GenerationDetail>($"api/v1/generations/{number}", ct);

    public Task<DiffResponse> DiffAsync(long from, long to, CancellationToken ct) => GetAsync<DiffResponse>($"api/v1/diff?from={from}&to={to}", ct);

    public Task<FleetStatus> GetFleetAsync(CancellationToken ct) => GetAsync<FleetStatus>("api/v1/vms", ct);

    /// <summary><c>GET /api/v1/vms/NAME</c>: one VM's status, with what its guest agent says.</summary>
    public Task<VmStatus> GetVmAsync(string name, CancellationToken ct) => GetAsync<VmStatus>($"api/v1/vms/{Uri.EscapeDataString(name)}", ct);

    /// <summary><c>POST /api/v1/vms/NAME/exec</c>: runs a command in the VM's guest through its guest agent and waits for it.</summary>
    public Task<VmExecResult> ExecAsync(string name, VmExecRequest request, CancellationToken ct) =>
        PostAsync<VmExecRequest, VmExecResult>($"api/v1/vms/{Uri.EscapeDataString(name)}/exec", request, ct);

    /// <summary><c>POST /api/v1/vms/NAME/balloon</c>: sets the running VM's balloon target (null: reads it).</summary>
    public Task<VmBalloonResult> BalloonAsync(string name, VmBalloonRequest request, CancellationToken ct) =>
        PostAsync<VmBalloonRequest, VmBalloonResult>($"api/v1/vms/{Uri.EscapeDataString(name)}/balloon", request, ct);

    /// <summary><c>GET /api/v1/vms/NAME/xml</c>: the VM as a libvirt domain (XML text, as its agent's QEMU configuration says).</summary>
    public async Task<string> GetVmXmlAsync(string name, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/vms/{Uri.EscapeDataString(name)}/xml"), HttpCompletionOption.ResponseContentRead, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    public Task<VmStatus> VmActionAsync(string name, string action, CancellationToken ct) =>
        PostAsync<EmptyRequest, VmStatus>($"api/v1/vms/{Uri.EscapeDataString(name)}/{action}", EmptyRequest.Instance, ct);

    public Task<FleetStatus> DownAsync(bool purge, CancellationToken ct) => PostAsync<DownRequest, FleetStatus>("api/v1/down", new DownRequest(purge), ct);

    public Task<DiskGcResponse> CollectDisksAsync(CancellationToken ct) => PostAsync<EmptyRequest, DiskGcResponse>("api/v1/gc", EmptyRequest.Instance, ct);

    public Task ShutdownAsync(CancellationToken ct) => PostAsync<EmptyRequest, JsonElement>("api/v1/shutdown", EmptyRequest.Instance, ct);

    public Task<IReadOnlyList<EventEntry>> EventsAsync(long after, CancellationToken ct) => EventsAsync(after, EventFilter.All, ct);

    /// <summary>A page of the events after id <paramref name="after"/> that pass <paramref name="filter"/> (filtered by the server); empty at the end.</summary>
    public Task<IReadOnlyList<EventEntry>> EventsAsync(long after, EventFilter filter, CancellationToken ct) =>
        GetAsync<IReadOnlyList<EventEntry>>($"api/v1/events?after={after}{filter.ToQuery()}", ct);

    /// <summary>
    /// The events after id <paramref name="after"/> that pass <paramref name="filter"/>, then each new one as the server
    /// records it (<c>GET /api/v1/events?follow=true</c>, one stream, no polling), until cancelled or the server goes.
    /// </summary>
    public async IAsyncEnumerable<EventEntry> FollowEventsAsync(long after, EventFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/events?follow=true&after={after}{filter.ToQuery()}"),
            HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            yield return JsonSerializer.Deserialize(line, ApiJson.Info<EventEntry>())!;
        }
    }

    /// <summary>The fleet status now and after every change, until cancelled (the watch stream put back together by <see cref="FleetStatusMerger"/>).</summary>
    public async IAsyncEnumerable<FleetStatus> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var merger = new FleetStatusMerger();
        await foreach (var change in WatchChangesAsync(ct)) yield return merger.Apply(change);
    }

    /// <summary>
    /// The watch stream as it comes: the whole status first (as a full change), then only what changed, until
    /// cancelled. A line costs the VMs that changed; a client that follows a large fleet keeps its own picture.
    /// </summary>
    public async IAsyncEnumerable<FleetStatusChange> WatchChangesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/watch"), HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream);
        var first = true;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            if (first)
            {
                first = false;
                yield return FleetStatusMerger.AsChange(JsonSerializer.Deserialize(line, ApiJson.Info<FleetStatus>())!);
            }
            else yield return JsonSerializer.Deserialize(line, ApiJson.Info<FleetStatusChange>())!;
        }
    }

    /// <summary>The VM's serial log; with <paramref name="follow"/>, a stream that grows until cancelled.</summary>
    public async Task<Stream> LogsAsync(string name, bool follow, CancellationToken ct)
    {
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/vms/{Uri.EscapeDataString(name)}/logs?follow={(follow ? "true" : "false")}"),
            HttpCompletionOption.ResponseHeadersRead, ct);
        return await response.Content.ReadAsStreamAsync(ct);
    }

    /// <summary>An interactive session on the VM's serial console: binary frames both ways.</summary>
    public async Task<WebSocket> ConsoleAsync(string name, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _token);
        socket.Options.RemoteCertificateValidationCallback = Validate;
        socket.Options.CollectHttpResponseDetails = true; // a refused upgrade says why in a header
        var url = new UriBuilder(new Uri(_baseUrl, $"api/v1/vms/{Uri.EscapeDataString(name)}/console")) { Scheme = _baseUrl.Scheme == "https" ? "wss" : "ws" }.Uri;
        try
        {
            await socket.ConnectAsync(url, ct);
        }
        catch (WebSocketException e)
        {
            var refused = socket.HttpResponseHeaders?.GetValueOrDefault(AgentProtocol.RefusedHeader)?.FirstOrDefault();
            var code = (int)socket.HttpStatusCode;
            socket.Dispose();
            if (_pin is { Seen: not null }) throw new ServerPinMismatchException(_pin.MismatchMessage(_baseUrl), e);
            if (refused is { Length: > 0 }) throw new ApiException(code is 0 ? 409 : code, new ApiError(ApiErrorCodes.Conflict, refused));
            // No reason given (an older server, or not refused by Hangar): what the VM's status says.
            var status = await GetAsync<VmStatus>($"api/v1/vms/{Uri.EscapeDataString(name)}", ct);
            throw new ApiException(409, new ApiError(ApiErrorCodes.Conflict, $"VM {name} has no console to attach to (it is {status.Phase.ToString().ToLowerInvariant()}): {e.Message}"));
        }
        return socket;
    }

    internal async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync(ApiJson.Info<T>(), ct))!;
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, ApiJson.Info<TRequest>()) };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync(ApiJson.Info<TResponse>(), ct))!;
    }

    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e) when (_pin is { Seen: not null })
        {
            throw new ServerPinMismatchException(_pin.MismatchMessage(_baseUrl), e);
        }
        catch (HttpRequestException e)
        {
            throw new NotRunningException($"the server at {_baseUrl}", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            ApiError? error = null;
            try { error = await response.Content.ReadFromJsonAsync(ApiJson.Info<ApiError>(), ct); }
            catch (JsonException) { }
            throw new ApiException((int)response.StatusCode, error ?? new ApiError(ApiErrorCodes.Internal, $"The control plane answered {(int)response.StatusCode} {response.ReasonPhrase}."));
        }
    }

    public void Dispose() => _http.Dispose();
}
