using Hangar.Cli.Output;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Cli.Commands;

/// <summary>
/// What <c>plan</c>, <c>apply</c> and <c>up</c> do before they send a fleet file: every file image (<c>path:</c>) whose
/// digest the server's image store does not have is uploaded from this machine, with a progress bar. The server hashes
/// what arrives and keeps it only when it has the digest the fleet file pins; once it has it, the file is not read again.
/// </summary>
public static class ImageUploads
{
    /// <summary>Uploads what the server lacks; false, with the reason printed, when an image cannot be uploaded.</summary>
    public static async Task<bool> EnsureAsync(CommandContext context, HangarClient client, ApplyRequest request, CancellationToken ct)
    {
        var spec = FleetParser.Parse(request.Text, request.FileName, request.BaseDirectory).Spec;
        if (spec is null) return true; // the server will say what is wrong with it
        foreach (var image in spec.Images.Where(i => i.Path is not null).DistinctBy(i => i.Sha256))
        {
            if (await client.FindAsync(image.Sha256, ct) is not null) continue;
            var path = image.Path!;
            long size;
            try { size = new FileInfo(path).Length; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Terminal.Error($"Image {image.Name} is not on the server and cannot be uploaded: {e.Message}");
                return false;
            }
            var bar = new ByteProgressBar($"uploading image {image.Name}", size);
            try
            {
                await client.UploadAsync(image.Sha256, path, bar, ct);
                bar.Done(size);
            }
            catch (ApiException e) when (e.Error.Code == ApiErrorCodes.ImageMismatch)
            {
                Console.Error.WriteLine();
                Terminal.Error($"Image {image.Name} ('{path}') cannot be uploaded: {e.Error.Message} Fix images.{image.Name}.sha256 or the file.");
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine();
                Terminal.Error($"Image {image.Name} is not on the server and cannot be uploaded from '{path}': {e.Message}");
                return false;
            }
        }
        return true;
    }
}
