using System.Security.Cryptography;
using System.Text;

namespace Hangar.Secrets.Age;

/// <summary>
/// The header of an age file: the version line, the recipient stanzas and the MAC over them, keyed by the file key.
/// Read strictly (canonical base64, the body's line lengths, printable ASCII) and within a bound, so that a file built
/// to be expensive is refused before it costs anything.
/// </summary>
internal sealed class AgeHeader
{
    public const string VersionLine = "age-encryption.org/v1";

    /// <summary>No header Hangar writes comes near this: about 110 bytes per recipient.</summary>
    public const int MaxBytes = 1 << 20;

    private const int MaxLine = 4096;

    public required IReadOnlyList<AgeStanza> Stanzas { get; init; }

    /// <summary>The header's bytes up to and including <c>---</c>: what the MAC covers.</summary>
    public required byte[] MacInput { get; init; }

    public required byte[] Mac { get; init; }

    /// <summary>The header for <paramref name="stanzas"/>, with its MAC under <paramref name="fileKey"/>.</summary>
    public static byte[] Write(IReadOnlyList<AgeStanza> stanzas, ReadOnlySpan<byte> fileKey)
    {
        var text = new StringBuilder(VersionLine).Append('\n');
        foreach (var stanza in stanzas) stanza.WriteTo(text);
        text.Append("---");
        var macInput = Encoding.ASCII.GetBytes(text.ToString());
        var mac = ComputeMac(fileKey, macInput);
        return [.. macInput, .. Encoding.ASCII.GetBytes(" " + AgeCrypto.Base64(mac) + "\n")];
    }

    /// <summary>Whether the MAC matches under <paramref name="fileKey"/> (compared in constant time).</summary>
    public bool Verify(ReadOnlySpan<byte> fileKey) => CryptographicOperations.FixedTimeEquals(ComputeMac(fileKey, MacInput), Mac);

    private static byte[] ComputeMac(ReadOnlySpan<byte> fileKey, byte[] macInput) =>
        HMACSHA256.HashData(AgeCrypto.Hkdf(fileKey, [], "header"), macInput);

    /// <summary>Reads the header from <paramref name="input"/>, leaving it at the first byte of the payload.</summary>
    public static AgeHeader Read(Stream input)
    {
        var raw = new MemoryStream();
        var first = ReadLine(input, raw, 1);
        if (first != VersionLine)
            throw new AgeException(first.StartsWith("age-encryption.org/", StringComparison.Ordinal)
                ? $"unsupported age version '{first}': Hangar reads age-encryption.org/v1"
                : "not an age file: it does not begin with 'age-encryption.org/v1'");
        var stanzas = new List<AgeStanza>();
        var lineNumber = 1;
        while (true)
        {
            var start = raw.Length;
            var line = ReadLine(input, raw, ++lineNumber);
            if (line.StartsWith("---", StringComparison.Ordinal))
            {
                if (!line.StartsWith("--- ", StringComparison.Ordinal) || AgeCrypto.FromBase64(line[4..]) is not { Length: 32 } mac)
                    throw new AgeException($"age header line {lineNumber}: the MAC line is malformed");
                if (stanzas.Count == 0) throw new AgeException("age header has no recipient stanza");
                return new AgeHeader { Stanzas = stanzas, MacInput = raw.ToArray()[..(int)(start + 3)], Mac = mac };
            }
            if (!line.StartsWith("-> ", StringComparison.Ordinal))
                throw new AgeException($"age header line {lineNumber}: expected a stanza ('-> ') or the MAC ('--- ')");
            var args = line[3..].Split(' ');
            if (args.Any(a => a.Length == 0)) throw new AgeException($"age header line {lineNumber}: a stanza argument is empty");
            var body = new StringBuilder();
            while (true)
            {
                var bodyLine = ReadLine(input, raw, ++lineNumber);
                if (bodyLine.Length > 64) throw new AgeException($"age header line {lineNumber}: a stanza body line is longer than 64 columns");
                body.Append(bodyLine);
                if (bodyLine.Length < 64) break;
            }
            var bytes = AgeCrypto.FromBase64(body.ToString())
                ?? throw new AgeException($"age header line {lineNumber}: a stanza body is not canonical base64");
            stanzas.Add(new AgeStanza(args[0], args[1..], bytes));
        }
    }

    /// <summary>One line without its newline; printable ASCII only, within the header's bound.</summary>
    private static string ReadLine(Stream input, MemoryStream raw, int lineNumber)
    {
        var line = new StringBuilder();
        while (true)
        {
            var b = input.ReadByte();
            if (b < 0 && raw.Length == 0) throw new AgeException("not an age file: it is empty");
            if (b < 0) throw new AgeException($"age header ends at line {lineNumber} before its MAC: the file is truncated");
            raw.WriteByte((byte)b);
            if (raw.Length > MaxBytes) throw new AgeException($"age header is longer than {MaxBytes} bytes");
            if (b == '\n') return line.ToString();
            if (b < 32 || b > 126) throw new AgeException($"age header line {lineNumber}: byte 0x{b:x2} is not printable ASCII");
            if (line.Length >= MaxLine) throw new AgeException($"age header line {lineNumber} is longer than {MaxLine} bytes");
            line.Append((char)b);
        }
    }
}
