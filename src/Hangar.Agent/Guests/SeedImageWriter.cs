using Hangar.Processes;

namespace Hangar.Agent.Guests;

/// <summary>
/// Writes a <see cref="CloudInitSeed"/> as a small ISO 9660 volume labelled <c>cidata</c> (with Joliet and Rock Ridge
/// names, as cloud-init's own <c>cloud-localds</c> does) using <c>genisoimage</c>. Read-only by nature, which is what a
/// seed is; the VM sees it as a second virtio disk.
/// </summary>
public sealed class SeedImageWriter(IProcessRunner runner)
{
    public SeedImageWriter() : this(ProcessRunner.Instance)
    {
    }

    /// <summary>Writes the volume to <paramref name="path"/> (replaced in one rename, so QEMU never opens half of one).</summary>
    /// <param name="workDirectory">Where its files are put together: a new directory under the system's temporary one
    /// when null (and removed afterwards); else this one, which the caller removes (a tmpfs, for a seed with a key).</param>
    /// <exception cref="InvalidOperationException">genisoimage is missing or failed; the message says which and why.</exception>
    public async Task WriteAsync(CloudInitSeed seed, string path, CancellationToken ct, string? workDirectory = null)
    {
        var owned = workDirectory is null;
        var work = workDirectory ?? Directory.CreateTempSubdirectory("hangar-seed-").FullName;
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(work, Private);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, Private);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work, "meta-data"), seed.MetaData, ct);
            await File.WriteAllTextAsync(Path.Combine(work, "user-data"), seed.UserData, ct);
            string[] files = [Path.Combine(work, "user-data"), Path.Combine(work, "meta-data")];
            if (seed.NetworkConfig is { } network)
            {
                await File.WriteAllTextAsync(Path.Combine(work, "network-config"), network, ct);
                files = [.. files, Path.Combine(work, "network-config")];
            }
            var temp = path + ".new";
            ProcessResult result;
            try
            {
                result = await runner.RunAsync("genisoimage",
                    ["-quiet", "-output", temp, "-volid", CloudInitSeed.VolumeLabel, "-joliet", "-rock", .. files], work, ct);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("Writing the VM's cloud-init seed needs genisoimage, which is not installed (scripts/install-deps.sh installs it).", e);
            }
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"genisoimage could not write the cloud-init seed {temp} (exit {result.ExitCode}): {result.StandardError.Trim()}");
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (owned) Directory.Delete(work, recursive: true);
        }
    }
}
