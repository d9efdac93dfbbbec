using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Hangar.Secrets.Age;

namespace Hangar.Secrets;

/// <summary>
/// An SSH Ed25519 key pair made by Hangar for a VM's host key: the private key in OpenSSH's own format
/// (<c>-----BEGIN OPENSSH PRIVATE KEY-----</c>, unencrypted, as <c>ssh-keygen -t ed25519 -N ''</c> writes it, which
/// sshd reads as <c>/etc/ssh/ssh_host_ed25519_key</c>), and its public line. Made in memory from 32 random bytes: no
/// external program and no file holds the private key. Checked against <c>ssh-keygen -y</c>.
/// </summary>
public sealed class SshHostKey : IDisposable
{
    private SshHostKey(byte[] privatePem, string publicKey)
    {
        PrivatePem = privatePem;
        PublicKey = publicKey;
    }

    /// <summary>The private key file's bytes (ASCII). Zeroed when disposed.</summary>
    public byte[] PrivatePem { get; }

    /// <summary><c>ssh-ed25519 AAAA…</c>, without a comment.</summary>
    public string PublicKey { get; }

    /// <summary>A new key pair; <paramref name="comment"/> goes into the private key as ssh-keygen's <c>-C</c> does.</summary>
    public static SshHostKey Generate(string comment)
    {
        var seed = RandomNumberGenerator.GetBytes(32);
        try
        {
            return FromSeed(seed, comment);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The key pair of a given 32-byte Ed25519 private key (RFC 8032's seed).</summary>
    internal static SshHostKey FromSeed(ReadOnlySpan<byte> seed, string comment)
    {
        var publicKey = Curve25519.Ed25519PublicKey(seed);
        var wire = SshWire.Ed25519PublicKey(publicKey);
        var secret = new byte[64];
        seed.CopyTo(secret);
        publicKey.CopyTo(secret.AsSpan(32));
        var check = RandomNumberGenerator.GetBytes(4);
        var commentBytes = Encoding.UTF8.GetBytes(comment);
        // Sized up front: a MemoryStream that grows leaves copies of the private key behind in the arrays it outgrew.
        var section = new MemoryStream(256 + commentBytes.Length);
        try
        {
            section.Write(check);
            section.Write(check);
            WriteString(section, "ssh-ed25519"u8);
            WriteString(section, publicKey);
            WriteString(section, secret);
            WriteString(section, commentBytes);
            // Padded with 1, 2, 3… to the cipher's block size, 8 for "none" (OpenSSH's PROTOCOL.key).
            for (byte pad = 1; section.Length % 8 != 0; pad++) section.WriteByte(pad);

            var blob = new MemoryStream(512 + commentBytes.Length);
            blob.Write("openssh-key-v1\0"u8);
            WriteString(blob, "none"u8);
            WriteString(blob, "none"u8);
            WriteString(blob, []);
            Span<byte> count = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(count, 1);
            blob.Write(count);
            WriteString(blob, wire);
            WriteString(blob, section.GetBuffer().AsSpan(0, (int)section.Length));
            var base64 = Convert.ToBase64String(blob.GetBuffer(), 0, (int)blob.Length);
            CryptographicOperations.ZeroMemory(blob.GetBuffer());
            var pem = new StringBuilder("-----BEGIN OPENSSH PRIVATE KEY-----\n");
            for (var i = 0; i < base64.Length; i += 70) pem.Append(base64, i, Math.Min(70, base64.Length - i)).Append('\n');
            pem.Append("-----END OPENSSH PRIVATE KEY-----\n");
            return new SshHostKey(Encoding.ASCII.GetBytes(pem.ToString()), "ssh-ed25519 " + Convert.ToBase64String(wire));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(section.GetBuffer());
        }
    }

    /// <summary>The public line of an OpenSSH private key file's text (what <c>ssh-keygen -y</c> prints, without a comment).</summary>
    /// <exception cref="AgeException">It is not an unprotected ssh-ed25519 private key.</exception>
    public static string PublicKeyOf(string privatePem, string source) => SshEd25519Identity.ParsePem(privatePem, source).Recipient.Text;

    /// <summary><c>SHA256:…</c> of a public line, as <c>ssh-keygen -l</c> prints it.</summary>
    /// <exception cref="AgeException">It is not an ssh-ed25519 public key.</exception>
    public static string Fingerprint(string publicKey)
    {
        var recipient = AgeRecipient.Parse(publicKey) as SshEd25519Recipient
            ?? throw new AgeException($"'{AgeRecipient.Shorten(publicKey)}' is not an ssh-ed25519 public key");
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(recipient.Wire)).TrimEnd('=');
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(PrivatePem);

    private static void WriteString(MemoryStream stream, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        stream.Write(length);
        stream.Write(value);
    }
}
