using System.Globalization;

namespace Hangar.Qemu.Internal;

/// <summary>The two fields of <c>/proc/PID/stat</c> that identify a live process.</summary>
/// <param name="State">Field 3: R, S, D, Z (zombie), X (dead), …</param>
/// <param name="StartTime">Field 22: start time in clock ticks after boot.</param>
internal readonly record struct ProcStat(char State, ulong StartTime)
{
    public bool IsExited => State is 'Z' or 'X' or 'x';

    /// <summary>Reads <c>/proc/PID/stat</c>; null when there is no such process.</summary>
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        return Parse(text);
    }

    /// <summary>
    /// Parses the fields after the command name. The name (field 2) is in parentheses and may itself contain
    /// spaces and ')', so parsing starts after the LAST ')'.
    /// </summary>
    public static ProcStat? Parse(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field N is fields[N - 3].
        const int startTimeIndex = 22 - 3;
        if (fields.Length <= startTimeIndex || fields[0].Length != 1) return null;
        if (!ulong.TryParse(fields[startTimeIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var startTime))
            return null;
        return new ProcStat(fields[0][0], startTime);
    }
}
