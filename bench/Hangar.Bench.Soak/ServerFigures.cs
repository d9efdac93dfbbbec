using System.Globalization;

namespace Hangar.Bench.Soak;

/// <summary>What the server process holds at one moment, read from <c>/proc/PID</c>.</summary>
internal sealed record ServerFigures(int Fds, int Pipes, int Sockets, int Files, int OtherFds, int Threads,
    double RssMiB, double AnonMiB, double FileMiB, double ShmemMiB)
{
    public static ServerFigures Read(int pid)
    {
        int pipes = 0, sockets = 0, files = 0, other = 0;
        foreach (var link in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            string? target;
            try { target = new FileInfo(link).LinkTarget; }
            catch (IOException) { continue; } // closed between the listing and the readlink
            if (target is null) continue;
            if (target.StartsWith("pipe:", StringComparison.Ordinal)) pipes++;
            else if (target.StartsWith("socket:", StringComparison.Ordinal)) sockets++;
            else if (target.StartsWith('/')) files++;
            else other++;
        }
        var status = File.ReadAllLines($"/proc/{pid}/status")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim());
        double MiB(string key) => long.Parse(status[key].Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return new ServerFigures(pipes + sockets + files + other, pipes, sockets, files, other,
            int.Parse(status["Threads"], CultureInfo.InvariantCulture),
            MiB("VmRSS"), MiB("RssAnon"), MiB("RssFile"), MiB("RssShmem"));
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
