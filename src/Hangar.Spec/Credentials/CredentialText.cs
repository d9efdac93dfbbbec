using System.Security.Cryptography;
using System.Text;

namespace Hangar.Spec;

/// <summary>A VM's <c>credentials</c> as one line for plans and diffs.</summary>
public static class CredentialText
{
    /// <summary>
    /// <c>api-key (secret api-key, ciphertext 1a2b3c4d), motd (value "hi"), ca (file /etc/ca.pem)</c>, or <c>none</c>. A
    /// secret shows a fingerprint of its ciphertext, so <c>hangar secret set</c> or <c>rekey</c> shows as a change; a
    /// value shows as written (values are not secret), shortened when long.
    /// </summary>
    public static string Of(ValueList<CredentialSpec>? credentials)
    {
        if (credentials is not { Count: > 0 } list) return "none";
        return string.Join(", ", list.Select(c => c.Kind switch
        {
            CredentialKind.Secret => $"{c.Name} (secret {c.Source}" + (c.DecryptInGuest ? ", opened by the guest" : "")
                + (c.Ciphertext is { } text ? $", ciphertext {Fingerprint(text)})" : ")"),
            CredentialKind.Value => $"{c.Name} (value \"{Shorten(c.Source)}\")",
            _ => $"{c.Name} (file {c.Source})",
        }));
    }

    /// <summary>
    /// A host key as one line: <c>ssh-ed25519 SHA256:… (ciphertext 1a2b3c4d)</c>, <c>a new ssh-ed25519 key, made at
    /// apply</c>, or <c>none</c>. The ciphertext's fingerprint shows a rekey as the change (a restart) it is.
    /// </summary>
    public static string Of(VmIdentity? identity) => identity switch
    {
        null => "none",
        { IsPending: true } => "a new ssh-ed25519 key, made at apply",
        _ => $"ssh-ed25519 {identity.Fingerprint} (ciphertext {Fingerprint(identity.Ciphertext!)})",
    };

    private static string Fingerprint(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..8];

    private static string Shorten(string value)
    {
        var line = value.ReplaceLineEndings("\\n");
        return line.Length <= 40 ? line : $"{line[..32]}… ({Encoding.UTF8.GetByteCount(value)} bytes, {Fingerprint(value)})";
    }
}
