using System.Text.Json;

namespace Hangar.Agent.Confinement;

/// <summary>
/// Which user id of its <see cref="QemuUserRange"/> each VM's QEMU drops to: the lowest free one the first time the
/// VM starts on this host, the same ever after (kept in <c>agent/qemu-uids.json</c> of the state directory, written
/// by rename, so a crash leaves the old map or the new one). Ids are never handed to another VM name.
/// </summary>
public sealed class QemuUserIds(string path, QemuUserRange range)
{
    private readonly Lock _lock = new();
    private Dictionary<string, int>? _byVm;

    public QemuUserRange Range => range;

    /// <summary>The id of <paramref name="vmName"/>'s QEMU, allocated (and saved) on first use.</summary>
    /// <exception cref="InvalidOperationException">Every id of the range is taken.</exception>
    public int For(string vmName)
    {
        lock (_lock)
        {
            var byVm = _byVm ??= Load();
            if (byVm.TryGetValue(vmName, out var known) && known >= range.First && known <= range.Last) return known;
            var taken = new HashSet<int>(byVm.Values);
            for (var uid = range.First; uid <= range.Last; uid++)
            {
                if (taken.Contains(uid)) continue;
                byVm[vmName] = uid;
                Save(byVm);
                return uid;
            }
            throw new InvalidOperationException(
                $"All {range.Count} QEMU user ids of the range {range} are taken ({path}); give the agent a larger range with --qemu-uids FIRST-LAST.");
        }
    }

    private Dictionary<string, int> Load()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), AgentFilesJsonContext.Default.DictionaryStringInt32) ?? [];
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            // Starting over could give a VM an id another VM's QEMU has now: refuse instead.
            throw new InvalidOperationException($"The QEMU user ids in {path} are unreadable ({e.Message}); fix or delete the file (then every VM gets an id again).", e);
        }
    }

    private void Save(Dictionary<string, int> byVm)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(byVm, AgentFilesJsonContext.Default.DictionaryStringInt32));
        File.Move(temp, path, overwrite: true);
    }
}
