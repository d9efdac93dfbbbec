namespace Hangar.Secrets.Age;

/// <summary>
/// Who a file is encrypted to: an age X25519 public key (<c>age1…</c>) or an SSH Ed25519 public key
/// (<c>ssh-ed25519 AAAA… comment</c>), the two kinds agenix uses.
/// </summary>
public abstract class AgeRecipient
{
    private protected AgeRecipient() { }

    /// <summary>The recipient as it is written (<c>age1…</c>, or <c>ssh-ed25519 AAAA…</c> without its comment).</summary>
    public abstract string Text { get; }

    /// <summary>Wraps the file key for this recipient.</summary>
    internal abstract AgeStanza Wrap(ReadOnlySpan<byte> fileKey);

    /// <summary>Reads one recipient; <see cref="AgeException"/> saying what is wrong with it otherwise.</summary>
    public static AgeRecipient Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith("age1", StringComparison.OrdinalIgnoreCase)) return X25519Recipient.Parse(trimmed);
        if (trimmed.StartsWith("ssh-ed25519 ", StringComparison.Ordinal)) return SshEd25519Recipient.Parse(trimmed);
        if (trimmed.StartsWith("ssh-", StringComparison.Ordinal) || trimmed.StartsWith("ecdsa-", StringComparison.Ordinal))
            throw new AgeException($"'{Shorten(trimmed)}': only ssh-ed25519 SSH keys can be recipients here (age's ssh-rsa is not supported)");
        throw new AgeException($"'{Shorten(trimmed)}' is not a recipient: expected an age public key (age1…) or an ssh-ed25519 public key");
    }

    public override string ToString() => Text;

    internal static string Shorten(string text) => text.Length <= 24 ? text : text[..20] + "…";
}
