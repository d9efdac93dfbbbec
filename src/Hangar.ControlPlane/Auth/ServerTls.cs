using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;

namespace Hangar.ControlPlane.Auth;

/// <summary>Kestrel's HTTPS, when the control plane has a certificate: https:// addresses are served with it (TLS 1.2 or 1.3).</summary>
internal static class ServerTls
{
    public static void Configure(IWebHostBuilder host, X509Certificate2? certificate)
    {
        if (certificate is null) return;
        // The empty builder's Kestrel has no HTTPS until asked for it.
        host.UseKestrelHttpsConfiguration();
        host.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        }));
    }
}
