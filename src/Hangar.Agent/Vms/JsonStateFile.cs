using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Hangar.Agent.Vms;

/// <summary>A small record kept as a JSON file next to a VM: written whole through a temp file and a rename, read leniently.</summary>
internal static class JsonStateFile
{
    /// <summary>The record at <paramref name="path"/>, or null when there is none or it cannot be read.</summary>
    public static T? TryRead<T>(string path, JsonTypeInfo<T> contract) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), contract);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Replaces the file in one rename, so a reader never sees half a record.</summary>
    public static void Write<T>(string path, T value, JsonTypeInfo<T> contract)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(value, contract));
        File.Move(temp, path, overwrite: true);
    }
}
