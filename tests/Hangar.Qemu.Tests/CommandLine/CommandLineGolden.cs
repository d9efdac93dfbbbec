using System.Runtime.CompilerServices;

namespace Hangar.Qemu.Tests.CommandLine;

/// <summary>The golden files of QEMU command lines (Golden/NAME.txt, one argument a line) and the config they start from.</summary>
internal static class CommandLineGolden
{
    public static readonly QemuVmConfig Minimal = new()
    {
        Name = "web",
        Accelerator = QemuAccelerator.Tcg,
        Vcpu = 1,
        MemoryMiB = 64,
        Paths = QemuRuntimePaths.For("/run/hangar/web", "/var/lib/hangar/vms/web/serial.log"),
    };

    /// <summary>Compares the arguments with Golden/NAME.txt; HANGAR_UPDATE_GOLDEN=1 rewrites the file in the source tree instead.</summary>
    public static void Assert(string name, QemuVmConfig config, [CallerFilePath] string sourceFile = "")
    {
        var actual = string.Join('\n', QemuCommandLine.Build(config)) + "\n";
        var sourceGolden = Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", "Golden", name + ".txt");
        if (Environment.GetEnvironmentVariable("HANGAR_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(sourceGolden, actual);
            return;
        }
        Xunit.Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name + ".txt")), actual);
    }
}
