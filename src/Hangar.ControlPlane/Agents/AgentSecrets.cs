using System.Security.Cryptography;
using System.Text;

namespace Hangar.ControlPlane.Agents;

/// <summary>
/// The secrets agents present, and how the control plane keeps them: only as SHA-256 hashes. Both are 256 random
/// bits, so a plain hash is enough (no salt or slow hash needed: there is nothing to guess).
/// <list type="bullet">
/// <item>A join token <c>hjt_ID_SECRET</c>: <c>ID</c> (12 hex digits) names its row, <c>SECRET</c> (64 hex digits) proves it.</item>
/// <item>An agent credential <c>hac_SECRET</c>: the agent's identity, found by its hash.</item>
/// </list>
/// </summary>
public static class AgentSecrets
{
    public const string JoinTokenPrefix = "hjt_";
    public const string CredentialPrefix = "hac_";

    public static (string Id, string Token) NewJoinToken() => NewSecret(JoinTokenPrefix);

    /// <summary>A secret <c>PREFIX ID _ SECRET</c> whose id names its row (join tokens, API tokens).</summary>
    public static (string Id, string Token) NewSecret(string prefix)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return (id, $"{prefix}{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}");
    }

    public static string NewCredential() => CredentialPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The id of a join token, or null when <paramref name="token"/> does not have a join token's form.</summary>
    public static string? JoinTokenId(string token) => SecretId(JoinTokenPrefix, token);

    /// <summary>The id of a <see cref="NewSecret"/> secret, or null when <paramref name="token"/> does not have its form.</summary>
    public static string? SecretId(string prefix, string token)
    {
        if (!token.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var parts = token[prefix.Length..].Split('_');
        return parts is [{ Length: 12 } id, { Length: 64 }] ? id : null;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="hash"/>, compared in constant time.</summary>
    public static bool Matches(string secret, string hash) => HashesEqual(Hash(secret), hash);

    /// <summary>Two hashes compared in constant time.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
