namespace Hangar.Secrets.Age;

/// <summary>
/// Bech32 (BIP 173, not Bech32m) as age uses it for recipients (<c>age1…</c>) and identities
/// (<c>AGE-SECRET-KEY-1…</c>): all lower or all upper case, without BIP 173's 90-character limit.
/// </summary>
internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>The lower-case encoding of <paramref name="data"/> under <paramref name="hrp"/>.</summary>
    public static string Encode(string hrp, ReadOnlySpan<byte> data)
    {
        hrp = hrp.ToLowerInvariant();
        var values = ConvertBits(data, 8, 5, pad: true)!;
        var checksum = Checksum(hrp, values);
        var chars = new char[hrp.Length + 1 + values.Count + 6];
        hrp.CopyTo(chars);
        chars[hrp.Length] = '1';
        var at = hrp.Length + 1;
        foreach (var v in values) chars[at++] = Charset[v];
        foreach (var v in checksum) chars[at++] = Charset[v];
        return new string(chars);
    }

    /// <summary>The human-readable part (lower case) and the data of <paramref name="text"/>; null when it is not valid Bech32.</summary>
    public static (string Hrp, byte[] Data)? Decode(string text)
    {
        if (text.Length < 8) return null;
        var lower = text.ToLowerInvariant();
        if (lower != text && text.ToUpperInvariant() != text) return null; // mixed case
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || separator + 7 > lower.Length) return null;
        var hrp = lower[..separator];
        if (hrp.Any(c => c < 33 || c > 126)) return null;
        var values = new List<byte>(lower.Length - separator - 1);
        foreach (var c in lower.AsSpan(separator + 1))
        {
            var v = Charset.IndexOf(c);
            if (v < 0) return null;
            values.Add((byte)v);
        }
        if (Polymod(Expand(hrp).Concat(values)) != 1) return null;
        var data = ConvertBits(values.GetRange(0, values.Count - 6).ToArray(), 5, 8, pad: false);
        return data is null ? null : (hrp, data.ToArray());
    }

    private static byte[] Checksum(string hrp, List<byte> values)
    {
        var polymod = Polymod(Expand(hrp).Concat(values).Concat(new byte[6])) ^ 1;
        var checksum = new byte[6];
        for (var i = 0; i < 6; i++) checksum[i] = (byte)((polymod >> (5 * (5 - i))) & 31);
        return checksum;
    }

    private static uint Polymod(IEnumerable<byte> values)
    {
        uint chk = 1;
        foreach (var v in values)
        {
            var top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0) chk ^= Generator[i];
        }
        return chk;
    }

    private static IEnumerable<byte> Expand(string hrp) =>
        hrp.Select(c => (byte)(c >> 5)).Append((byte)0).Concat(hrp.Select(c => (byte)(c & 31)));

    private static List<byte>? ConvertBits(ReadOnlySpan<byte> data, int from, int to, bool pad)
    {
        var result = new List<byte>(data.Length * from / to + 1);
        int accumulator = 0, bits = 0;
        var max = (1 << to) - 1;
        var keep = (1 << (from + to - 1)) - 1;
        foreach (var value in data)
        {
            accumulator = ((accumulator << from) | value) & keep;
            bits += from;
            while (bits >= to)
            {
                bits -= to;
                result.Add((byte)((accumulator >> bits) & max));
            }
        }
        if (pad)
        {
            if (bits > 0) result.Add((byte)((accumulator << (to - bits)) & max));
        }
        else if (bits >= from || ((accumulator << (to - bits)) & max) != 0)
        {
            return null;
        }
        return result;
    }
}
