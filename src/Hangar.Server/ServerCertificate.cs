using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hangar.Server;

/// <summary>
/// The certificate a server serves HTTPS and WSS with: one given by path (<c>--tls-cert</c>, <c>--tls-key</c>, PEM), or
/// one Hangar makes on its first start and keeps in <c>control-plane/tls/</c> under the home — ECDSA P-256,
/// self-signed, valid ten years, with the host's names and addresses as subject alternative names. Agents and the CLI
/// pin it by fingerprint, so nothing needs to sign it; the same file is served at every later start, so the pin holds.
/// Delete both files to make a new one (every pin must then be renewed).
/// </summary>
public static class ServerCertificate
{
    public static string DirectoryFor(string home) => Path.Combine(home, "control-plane", "tls");
    public static string CertificatePathFor(string home) => Path.Combine(DirectoryFor(home), "server.crt");
    public static string KeyPathFor(string home) => Path.Combine(DirectoryFor(home), "server.key");

    /// <summary>The certificate at <paramref name="certPath"/> with its key at <paramref name="keyPath"/> (PEM).</summary>
    /// <exception cref="InvalidOperationException">A file is missing or is not a PEM certificate or key; the message names it.</exception>
    public static X509Certificate2 Load(string certPath, string keyPath)
    {
        foreach (var path in new[] { certPath, keyPath })
            if (!File.Exists(path)) throw new InvalidOperationException($"TLS: {path} does not exist.");
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // Kestrel needs the key in a form it can hand to the TLS stack; a PKCS#12 round trip gives it that.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"TLS: {certPath} and {keyPath} are not a PEM certificate and its private key: {e.Message}", e);
        }
    }

    /// <summary>The certificate kept in the home, else a new one made and kept there (key 0600). Returns whether it was made now.</summary>
    public static (X509Certificate2 Certificate, bool Created) LoadOrCreate(string home, string? listenHost)
    {
        var certPath = CertificatePathFor(home);
        var keyPath = KeyPathFor(home);
        if (File.Exists(certPath) && File.Exists(keyPath)) return (Load(certPath, keyPath), false);
        Directory.CreateDirectory(DirectoryFor(home), PrivateFiles.DirectoryMode);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Environment.MachineName.ToLowerInvariant()}, O=Hangar", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // server auth
        request.CertificateExtensions.Add(SubjectAlternativeNames(listenHost));
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        PrivateFiles.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        PrivateFiles.WriteAllText(certPath, made.ExportCertificatePem() + "\n");
        return (Load(certPath, keyPath), true);
    }

    /// <summary>localhost, the host name, the listen address when it is one, loopback and every address of an interface that is up.</summary>
    private static X509Extension SubjectAlternativeNames(string? listenHost)
    {
        var names = new SubjectAlternativeNameBuilder();
        var dns = new SortedSet<string>(StringComparer.Ordinal) { "localhost", Environment.MachineName.ToLowerInvariant() };
        var addresses = new HashSet<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        if (listenHost is { Length: > 0 } host)
        {
            if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) { if (!ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)) addresses.Add(ip); }
            else if (host is not ("*" or "+")) dns.Add(host.ToLowerInvariant());
        }
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces().Where(n => n.OperationalStatus == OperationalStatus.Up))
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                    if (!unicast.Address.IsIPv6LinkLocal) addresses.Add(unicast.Address);
        }
        catch (NetworkInformationException)
        {
            // The names above still make a usable certificate; pinning does not read them.
        }
        foreach (var name in dns) names.AddDnsName(name);
        foreach (var address in addresses) names.AddIpAddress(address);
        return names.Build();
    }
}
