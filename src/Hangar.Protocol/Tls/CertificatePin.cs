using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hangar.Protocol.Tls;

/// <summary>
/// A server certificate pinned by its SHA-256 fingerprint (<c>sha256:</c> and 64 hex digits, the SHA-256 of the
/// certificate's DER bytes), in the spirit of kubeadm's <c>--discovery-token-ca-cert-hash</c>: the one certificate
/// accepted, whoever signed it. The check runs inside the TLS handshake (<see cref="Validate"/>), so a refused server
/// never receives a byte of HTTP: no token and no credential reach it. After a refusal, <see cref="Seen"/> holds the
/// fingerprint the server presented, for a message that names both (<see cref="MismatchMessage"/>).
/// </summary>
public sealed class CertificatePin
{
    public const string Prefix = "sha256:";

    private CertificatePin(string fingerprint) => Fingerprint = fingerprint;

    /// <summary>The pinned fingerprint, normalised: <c>sha256:</c> and lowercase hex without separators.</summary>
    public string Fingerprint { get; }

    /// <summary>The fingerprint of the last certificate refused, or null.</summary>
    public string? Seen { get; private set; }

    /// <summary>
    /// Reads a fingerprint as users copy it: <c>sha256:ab12…</c>, in either case, with or without colons between
    /// bytes. <see cref="FormatException"/> names what was wrong.
    /// </summary>
    public static CertificatePin Parse(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"'{text}' is not a certificate fingerprint; write it as sha256:HEX (64 hex digits), as the server prints it.");
        var hex = trimmed[Prefix.Length..].Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
            throw new FormatException($"'{text}' is not a certificate fingerprint: after sha256: come 64 hex digits, not {hex.Length} characters.");
        return new CertificatePin(Prefix + hex);
    }

    /// <summary>The fingerprint of <paramref name="certificate"/>, as <see cref="Fingerprint"/> writes it.</summary>
    public static string FingerprintOf(X509Certificate certificate) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>Whether <paramref name="certificate"/> is the pinned one (constant time).</summary>
    public bool Matches(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        var seen = FingerprintOf(certificate);
        if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(seen), System.Text.Encoding.ASCII.GetBytes(Fingerprint))) return true;
        Seen = seen;
        return false;
    }

    /// <summary>
    /// A <see cref="RemoteCertificateValidationCallback"/>: accepts the pinned certificate and nothing else. Its name
    /// and chain are not checked: the pin is the trust (a self-signed certificate has no chain to check).
    /// </summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => Matches(certificate);

    /// <summary>Why <paramref name="server"/> was refused, naming both fingerprints.</summary>
    public string MismatchMessage(Uri server) =>
        $"The server at {server.GetLeftPart(UriPartial.Authority)} presented a certificate with fingerprint {Seen ?? "(none)"}, " +
        $"not the pinned {Fingerprint}; nothing was sent to it. If the server's certificate really changed, check the new " +
        "fingerprint on the server (hangar server prints it at start) and pin that one.";

    public override string ToString() => Fingerprint;
}
