using System.Security.Cryptography.X509Certificates;
using Hangar.ControlPlane;
using Hangar.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace Hangar.Server;

/// <summary>The certificate a server starts with (given, kept, or made now), and what it says about it at start.</summary>
internal sealed record ServerTlsSetup(X509Certificate2 Certificate, string Source, bool Created)
{
    public static ServerTlsSetup Load(string home, ServerSettings settings, ListenAddress address)
    {
        if (settings.TlsCert is { } cert && settings.TlsKey is { } key) return new(ServerCertificate.Load(cert, key), cert, false);
        var (made, created) = ServerCertificate.LoadOrCreate(home, address.Host);
        return new(made, ServerCertificate.CertificatePathFor(home), created);
    }

    /// <summary>Logs the fingerprint (what agents and the CLI pin) and prints it on stderr, where a user starting the server sees it.</summary>
    public static void Announce(ControlPlaneServer server, ServerTlsSetup? tls, ListenAddress address, ILogger log)
    {
        if (tls is null)
        {
            if (!address.IsLoopback) log.LogWarning("Serving plain HTTP on {Url} (--insecure-http): API tokens and agent credentials travel in the clear", server.Url);
            return;
        }
        log.LogInformation("TLS certificate {Path}{Made}, fingerprint {Fingerprint}", tls.Source, tls.Created ? " (made now, self-signed)" : "", server.Fingerprint);
        Console.Error.WriteLine($"TLS certificate fingerprint: {server.Fingerprint}");
    }
}
