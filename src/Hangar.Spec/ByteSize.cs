using System.Globalization;

namespace Hangar.Spec;

/// <summary>A size in bytes, written in fleet files with binary units: <c>512MiB</c>, <c>2GiB</c>, <c>1TiB</c>.</summary>
public readonly record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    public const long KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;

    public long MiBytes => Bytes / MiB;

    public static ByteSize FromMiB(long mib) => new(mib * MiB);

    /// <summary>
    /// Parses <c>NUMBER UNIT</c> where UNIT is one of B, KiB, MiB, GiB, TiB (K/M/G/T and KB/MB/GB/TB are read as
    /// the binary units too, as QEMU and libvirt do). Returns false with a reason when the text is not a size.
    /// </summary>
    public static bool TryParse(string text, out ByteSize size, out string? error)
    {
        size = default;
        error = null;
        var s = text.Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
        if (i == 0)
        {
            error = $"'{text}' is not a size; write a number and a unit, like 512MiB or 2GiB";
            return false;
        }
        if (!decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"'{text}' is not a size; write a number and a unit, like 512MiB or 2GiB";
            return false;
        }
        var unit = s[i..].Trim();
        long factor = unit.ToLowerInvariant() switch
        {
            "b" => 1,
            "k" or "kb" or "kib" => KiB,
            "m" or "mb" or "mib" => MiB,
            "g" or "gb" or "gib" => GiB,
            "t" or "tb" or "tib" => TiB,
            "" => -1,
            _ => 0,
        };
        if (factor == -1)
        {
            error = $"'{text}' has no unit; write it with one, like {text}MiB";
            return false;
        }
        if (factor == 0)
        {
            error = $"'{unit}' is not a size unit; use B, KiB, MiB, GiB or TiB";
            return false;
        }
        // Checked before multiplying: decimal multiplication throws on overflow (e.g. "99999999999999999999TiB").
        if (number > (decimal)long.MaxValue / factor || number * factor > long.MaxValue)
        {
            error = $"'{text}' is too large a size";
            return false;
        }
        var bytes = number * factor;
        if (bytes != decimal.Truncate(bytes))
        {
            error = $"'{text}' is not a whole number of bytes";
            return false;
        }
        size = new ByteSize((long)bytes);
        return true;
    }

    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    public static bool operator <(ByteSize a, ByteSize b) => a.Bytes < b.Bytes;
    public static bool operator >(ByteSize a, ByteSize b) => a.Bytes > b.Bytes;
    public static bool operator <=(ByteSize a, ByteSize b) => a.Bytes <= b.Bytes;
    public static bool operator >=(ByteSize a, ByteSize b) => a.Bytes >= b.Bytes;

    /// <summary>The shortest exact form in binary units, e.g. <c>512MiB</c>, <c>2GiB</c>.</summary>
    public override string ToString()
    {
        foreach (var (factor, unit) in new[] { (TiB, "TiB"), (GiB, "GiB"), (MiB, "MiB"), (KiB, "KiB") })
            if (Bytes != 0 && Bytes % factor == 0) return $"{Bytes / factor}{unit}";
        return $"{Bytes}B";
    }
}
