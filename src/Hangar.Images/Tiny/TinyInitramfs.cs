using System.IO.Compression;
using System.Text;
using Hangar.Images.Cpio;

namespace Hangar.Images.Tiny;

/// <summary>
/// Packs the tiny guest's initramfs (gzip'd newc cpio) from the unpacked kernel and busybox packages and the recipe files.
/// </summary>
internal static class TinyInitramfs
{
    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <param name="kernelRoot">Where the kernel package was unpacked (holds lib/modules/VERSION/).</param>
    /// <param name="kernelVersion">The kernel release, e.g. 6.1.0-56-cloud-amd64.</param>
    /// <param name="busyboxPath">The static busybox binary.</param>
    /// <param name="outputPath">The initrd file to write.</param>
    public static void Write(string kernelRoot, string kernelVersion, string busyboxPath, string outputPath)
    {
        var moduleRoot = Path.Combine(kernelRoot, "lib", "modules", kernelVersion);
        var modules = FindModules(moduleRoot);

        using var file = new FileStream(outputPath, FileMode.CreateNew, FileAccess.Write);
        using (var gzip = new GZipStream(file, CompressionLevel.SmallestSize))
        using (var buffered = new BufferedStream(gzip, 1 << 16))
        {
            var cpio = new CpioWriter(buffered);
            foreach (var directory in new[] { "dev", "proc", "sys", "tmp", "run", "root", "var/www" })
            {
                cpio.AddDirectory(directory);
            }

            // The kernel opens /dev/console for init's stdin/stdout before /init can mount devtmpfs.
            cpio.AddCharacterDevice("dev/console", 5, 1, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            cpio.AddFile("bin/busybox", File.ReadAllBytes(busyboxPath), Executable);
            cpio.AddSymlink("bin/sh", "busybox");

            foreach (var recipeFile in TinyRecipe.Files)
            {
                cpio.AddFile(recipeFile.PathInImage, recipeFile.ReadContent(), recipeFile.Mode);
            }

            var moduleList = new StringBuilder();
            foreach (var module in modules)
            {
                var relative = Path.GetRelativePath(moduleRoot, module).Replace('\\', '/');
                cpio.AddFile($"lib/modules/{kernelVersion}/{relative}", File.ReadAllBytes(module), Readable);
                moduleList.Append(relative).Append('\n');
            }

            cpio.AddFile(TinyRecipe.ModuleListPath, Encoding.UTF8.GetBytes(moduleList.ToString()), Readable);
            cpio.Finish();
        }
    }

    /// <summary>The .ko file of each module of <see cref="TinyRecipe.Modules"/>, in load order.</summary>
    private static List<string> FindModules(string moduleRoot)
    {
        if (!Directory.Exists(moduleRoot))
        {
            throw new ImageBuildException($"The kernel package has no module directory {moduleRoot}.");
        }

        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(Path.Combine(moduleRoot, "kernel"), "*.ko*", SearchOption.AllDirectories))
        {
            var fileName = Path.GetFileName(path);
            var name = fileName[..fileName.IndexOf(".ko", StringComparison.Ordinal)];
            byName.TryAdd(name, path);
        }

        var found = new List<string>();
        foreach (var module in TinyRecipe.Modules)
        {
            if (!byName.TryGetValue(module, out var path))
            {
                throw new ImageBuildException($"Kernel module {module} is not in {moduleRoot}.");
            }

            // busybox insmod reads plain ELF only; Debian 12 ships modules uncompressed, later releases do not.
            if (!path.EndsWith(".ko", StringComparison.Ordinal))
            {
                throw new ImageBuildException($"Kernel module {path} is compressed; the tiny recipe expects plain .ko files.");
            }

            found.Add(path);
        }

        return found;
    }
}
