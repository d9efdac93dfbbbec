using System.Security.Cryptography;

namespace Hangar.Images;

/// <summary>sha256 of files and text, as lowercase hex (the form apt, sha256sum and fleet files use).</summary>
internal static class FileDigest
{
    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        // A large buffer and sequential access: disk images are gigabytes and this is the whole cost of verifying them.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
