using System.CommandLine;
using System.Security.Cryptography;
using Hangar.Cli.Output;
using Hangar.Spec.Libvirt;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar import libvirt FILE.xml [--name N]</c>: a libvirt domain as a fleet-file entry on stdout, and on stderr every
/// part of it that was not carried over. Reads only the file (and hashes the domain's disk image when it can read it):
/// no server is needed.
/// </summary>
public static class ImportCommand
{
    /// <summary>Images larger than this are announced on stderr before they are hashed: it takes a while.</summary>
    private const long AnnounceHashBytes = 256L * 1024 * 1024;

    public static Command Create()
    {
        var command = new Command("import", "Turn a VM of another tool into a fleet-file entry.");
        command.Subcommands.Add(CreateLibvirt());
        return command;
    }

    private static Command CreateLibvirt()
    {
        var file = new Argument<string>("file") { Description = "A libvirt domain XML (virsh dumpxml NAME > NAME.xml); - reads standard input." };
        var name = new Option<string?>("--name") { Description = "The VM's name in the fleet file (default: the domain's name, made a valid one)." };
        var noHash = new Option<bool>("--no-hash") { Description = "Do not read the disk image for its sha256; write a placeholder to fill in." };
        var command = new Command("libvirt",
            "Print a libvirt domain as fleet-file YAML (images: and vms:) on stdout; list on stderr what it could not carry over.") { file, name, noHash };
        CommandContext.Bind(command, async (context, ct) =>
        {
            var path = context.Get(file);
            string text;
            try
            {
                if (path == "-")
                {
                    text = await Console.In.ReadToEndAsync(ct);
                }
                else
                {
                    var info = new FileInfo(path);
                    if (info.Exists && info.Length > 4 * 1024 * 1024)
                    {
                        Terminal.Error($"{path} has {info.Length:N0} bytes; a libvirt domain has a few KiB.");
                        return ExitCodes.Invalid;
                    }
                    text = await File.ReadAllTextAsync(path, ct);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Terminal.Error($"Cannot read {path}: {e.Message}");
                return ExitCodes.Error;
            }
            LibvirtImport imported;
            try
            {
                imported = LibvirtDomainImporter.Import(text, path == "-" ? "stdin" : path, context.Get(name), context.Get(noHash) ? null : image => Sha256Of(image, ct));
            }
            catch (Exception e) when (e is LibvirtImportException or ArgumentException)
            {
                Terminal.Error(e.Message);
                return ExitCodes.Invalid;
            }
            Console.Out.Write(imported.Yaml);
            if (imported.Notes.Count > 0)
            {
                Console.Error.WriteLine($"Not carried over into VM {imported.VmName} as it is ({imported.Notes.Count}):");
                foreach (var note in imported.Notes) Console.Error.WriteLine($"  {note}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The SHA-256 of an image file on this machine, or null when it cannot be read here.</summary>
    private static string? Sha256Of(string path, CancellationToken ct)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
            if (stream.Length > AnnounceHashBytes) Console.Error.WriteLine($"Hashing {path} ({stream.Length / (1024 * 1024):N0} MiB)…");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
            }
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
