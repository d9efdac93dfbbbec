using System.Net;

namespace Hangar.Server;

/// <summary>
/// Where the server listens and whether with TLS. An address is <c>HOST:PORT</c> (or <c>http://HOST:PORT</c>,
/// <c>https://HOST:PORT</c>). Beyond loopback the server speaks HTTPS/WSS unless plain HTTP is asked for by name
/// (<c>--insecure-http</c>); on loopback (what <c>hangar up</c> uses) it speaks plain HTTP unless <c>--tls</c>, a
/// certificate or an https:// address asks for TLS.
/// </summary>
public sealed record ListenAddress(string Host, int Port, bool Tls)
{
    /// <summary>The URL for Kestrel.</summary>
    public string Url => $"{(Tls ? "https" : "http")}://{Host}:{Port}";

    public bool IsLoopback => IsLoopbackHost(Host);

    /// <exception cref="InvalidOperationException">The address is malformed, or asks for plain HTTP beyond loopback without --insecure-http.</exception>
    public static ListenAddress Decide(string text, bool tls, bool certificateGiven, bool insecureHttp)
    {
        var rest = text;
        string? scheme = null;
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            scheme = text[..schemeEnd].ToLowerInvariant();
            rest = text[(schemeEnd + 3)..].TrimEnd('/');
            if (scheme is not ("http" or "https"))
                throw new InvalidOperationException($"--listen {text}: use HOST:PORT, http://HOST:PORT or https://HOST:PORT.");
        }
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], out var port) || port is < 0 or > 65535)
            throw new InvalidOperationException($"--listen {text}: give a host and a port, e.g. 0.0.0.0:8443 (port 0 picks a free one).");
        var host = rest[..colon];
        var loopback = IsLoopbackHost(host);
        if (scheme == "http" && (tls || certificateGiven))
            throw new InvalidOperationException($"--listen {text}: an http:// address cannot serve TLS; write {host}:{port} or https://{host}:{port}.");
        if (scheme == "https" && insecureHttp)
            throw new InvalidOperationException($"--listen {text}: an https:// address cannot be plain HTTP; drop --insecure-http or write http://{host}:{port}.");
        if (scheme == "http" && !loopback && !insecureHttp)
            throw new InvalidOperationException($"--listen {text}: plain HTTP beyond loopback sends tokens in the clear; add --insecure-http if that is really wanted, or drop http:// to serve HTTPS.");
        var useTls = tls || certificateGiven || scheme == "https" || (!loopback && !insecureHttp);
        return new ListenAddress(host, port, useTls);
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
