using System.Diagnostics;

namespace Hangar.Testing;

/// <summary>Runs the real <c>age</c>, <c>age-keygen</c> and <c>ssh-keygen</c> (Debian's packages, installed by scripts/install-deps.sh).</summary>
internal static class AgeTool
{
    public static byte[] Run(string program, byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        if (stdin is not null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        copy.Wait(TimeSpan.FromMinutes(1));
        if (!process.WaitForExit(TimeSpan.FromMinutes(1))) throw new TimeoutException($"{program} did not exit");
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Result}");
        return stdout.ToArray();
    }
}
