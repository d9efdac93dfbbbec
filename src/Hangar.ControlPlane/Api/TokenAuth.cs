using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Hangar.ControlPlane.Api;

/// <summary>Bearer-token check, in constant time so the token cannot be guessed byte by byte from timings.</summary>
internal static class TokenAuth
{
    /// <summary>The bearer token of <paramref name="request"/>, or null when it has none.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.Ordinal) && header.Length > prefix.Length ? header[prefix.Length..] : null;
    }

    public static bool Matches(HttpRequest request, string expected)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.Ordinal)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..]), Encoding.UTF8.GetBytes(expected));
    }
}
