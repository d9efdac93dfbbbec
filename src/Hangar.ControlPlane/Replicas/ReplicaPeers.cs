using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Hangar.Protocol.Tls;
using Hangar.State;
using Hangar.State.Replication;
using Microsoft.Extensions.Logging;

namespace Hangar.ControlPlane.Replicas;

/// <summary>
/// The other replicas as this one reaches them: their addresses and certificates from the store's directory
/// (<see cref="IReplicaDirectory"/>), and the credential replicas present to each other. Each run of a replica makes a
/// secret of 256 random bits that stays in its memory and records only its SHA-256 in its own row; a request from
/// replica B to replica A names B (<see cref="ReplicaHeader"/>) and carries B's secret, which A checks against B's row.
/// Nothing an agent or a client sends can stand in for it, and a replica that restarts makes a new one.
/// </summary>
internal sealed partial class ReplicaPeers(ReplicaLink link, IReplicaDirectory directory, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    /// <summary>The header that names the replica making a request to another one.</summary>
    public const string ReplicaHeader = "X-Hangar-Replica";

    /// <summary>The prefix of a replica's secret.</summary>
    private const string SecretPrefix = "hrs_";

    /// <summary>How long a replica waits for another one to accept a connection.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly string _secret = SecretPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly ConcurrentDictionary<string, ReplicaRecord> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);

    public IReplicaDirectory Directory => directory;

    /// <summary>This replica's id.</summary>
    public string Self => link.Id;

    /// <summary>Records where this replica answers, once it listens.</summary>
    public async Task RegisterAsync(Uri url, string? fingerprint, CancellationToken ct)
    {
        await directory.RegisterAsync(new ReplicaRecord(link.Id, url.ToString(), fingerprint, Hash(_secret), time.GetUtcNow()), ct);
        Log.Registered(logger, link.Id, url);
    }

    /// <summary>The row of replica <paramref name="id"/>; read from the store when it is not known or <paramref name="fresh"/>.</summary>
    public async Task<ReplicaRecord?> FindAsync(string id, CancellationToken ct, bool fresh = false)
    {
        if (!fresh && _known.TryGetValue(id, out var known)) return known;
        foreach (var row in await directory.ListAsync(ct)) _known[row.Id] = row;
        return _known.GetValueOrDefault(id);
    }

    /// <summary>Whether a request claims to come from replica <paramref name="id"/> with its secret; a mismatch reads the
    /// row again, since that replica may have restarted with a new secret.</summary>
    public async Task<bool> AuthenticateAsync(string? id, string? secret, CancellationToken ct)
    {
        if (id is null || secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || id == link.Id) return false;
        var presented = Encoding.ASCII.GetBytes(Hash(secret));
        if (await FindAsync(id, ct) is { } row && Same(row, presented)) return true;
        return await FindAsync(id, ct, fresh: true) is { } again && Same(again, presented);
    }

    private static bool Same(ReplicaRecord row, byte[] presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(row.SecretHash), presented);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>
    /// A request to <paramref name="peer"/> at <paramref name="path"/> (and query), with this replica's credential.
    /// </summary>
    public HttpRequestMessage Request(HttpMethod method, ReplicaRecord peer, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, new Uri(new Uri(peer.Url), pathAndQuery));
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _secret);
        request.Headers.TryAddWithoutValidation(ReplicaHeader, link.Id);
        return request;
    }

    /// <summary>An HTTP client for <paramref name="peer"/>: its certificate pinned when it serves TLS, no overall timeout
    /// (a followed log streams for as long as the client reads it).</summary>
    public HttpClient ClientFor(ReplicaRecord peer) => _clients.GetOrAdd(peer.Id + " " + peer.Fingerprint, _ =>
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) };
        if (peer.Fingerprint is { } fingerprint) handler.SslOptions.RemoteCertificateValidationCallback = CertificatePin.Parse(fingerprint).Validate;
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    });

    /// <summary>A WebSocket client for <paramref name="peer"/>, with this replica's credential and the peer's pin.</summary>
    public ClientWebSocket WebSocketFor(ReplicaRecord peer)
    {
        var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        ws.Options.SetRequestHeader("Authorization", "Bearer " + _secret);
        ws.Options.SetRequestHeader(ReplicaHeader, link.Id);
        if (peer.Fingerprint is { } fingerprint) ws.Options.RemoteCertificateValidationCallback = CertificatePin.Parse(fingerprint).Validate;
        return ws;
    }

    /// <summary>The WebSocket address of <paramref name="pathAndQuery"/> on <paramref name="peer"/>.</summary>
    public static Uri WebSocketUrl(ReplicaRecord peer, string pathAndQuery)
    {
        var url = new Uri(new Uri(peer.Url), pathAndQuery);
        return new UriBuilder(url) { Scheme = url.Scheme == "https" ? "wss" : "ws" }.Uri;
    }

    /// <summary>Why a request to <paramref name="peer"/> failed, in a phrase: the innermost exception's message.</summary>
    public static string Why(Exception e)
    {
        while (e.InnerException is not null && e is HttpRequestException or WebSocketException or AggregateException) e = e.InnerException;
        return e is OperationCanceledException or TimeoutException ? $"no answer within {ConnectTimeout.TotalSeconds:0} s" : e.Message;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
        await directory.DisposeAsync();
    }
}
