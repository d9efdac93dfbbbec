using Hangar.Protocol.Tls;

namespace Hangar.Cli;

/// <summary>
/// Which server a command talks to when it is not the home's own (<c>daemon.json</c>): <c>--server URL</c>, else
/// <c>$HANGAR_SERVER</c>, else the one of <c>hangar login</c> (<see cref="LoginFile"/>). The token is
/// <c>$HANGAR_TOKEN</c>, else the login's (for the same server); the pinned fingerprint is
/// <c>$HANGAR_SERVER_FINGERPRINT</c>, else the login's. With none of them, commands use the home's server as before.
/// </summary>
public sealed record RemoteServer(Uri Url, string Token, CertificatePin? Pin)
{
    /// <summary>The remote server to use, or null for the home's.</summary>
    /// <exception cref="InvalidOperationException">A server is named but no token is known for it, or a value is malformed.</exception>
    public static RemoteServer? Resolve(string? serverFlag)
    {
        var named = serverFlag ?? (Environment.GetEnvironmentVariable("HANGAR_SERVER") is { Length: > 0 } env ? env : null);
        var login = LoginFile.TryRead(LoginFile.DefaultPath());
        if (named is null && login is null) return null;
        var url = ParseUrl(named ?? login!.Server, named is null ? LoginFile.DefaultPath() : serverFlag is not null ? "--server" : "HANGAR_SERVER");
        var sameAsLogin = login is not null && SameServer(new Uri(login.Server), url) ? login : null;
        var token = (Environment.GetEnvironmentVariable("HANGAR_TOKEN") is { Length: > 0 } t ? t : null) ?? sameAsLogin?.Token
            ?? throw new InvalidOperationException($"No API token for {url}: set HANGAR_TOKEN, or run `hangar login {url}`.");
        var fingerprint = (Environment.GetEnvironmentVariable("HANGAR_SERVER_FINGERPRINT") is { Length: > 0 } f ? f : null) ?? sameAsLogin?.Fingerprint;
        return new RemoteServer(url, token, ParsePin(fingerprint, "HANGAR_SERVER_FINGERPRINT"));
    }

    /// <summary>An address as users write it: <c>https://host:8443</c>, or <c>host:8443</c> meaning https.</summary>
    public static Uri ParseUrl(string text, string source)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"{source}: '{text}' is not a server address; write it like https://10.0.0.1:8443.");
        return new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
    }

    public static CertificatePin? ParsePin(string? text, string source)
    {
        if (text is null) return null;
        try { return CertificatePin.Parse(text); }
        catch (FormatException e) { throw new InvalidOperationException($"{source}: {e.Message}", e); }
    }

    private static bool SameServer(Uri a, Uri b) => a.GetLeftPart(UriPartial.Authority) == b.GetLeftPart(UriPartial.Authority);

    public HangarClient Connect() => new(Url, Token, Pin);
}
