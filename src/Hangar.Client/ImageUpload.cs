using System.Net;
using System.Net.Http.Json;
using Hangar.Protocol.Api;

namespace Hangar.Client;

/// <summary>
/// The image store of the API from the client's side: asks whether the server has a digest, and uploads a local file
/// under its digest (streamed; the server hashes it as it arrives and keeps it only when it matches).
/// </summary>
public static class ImageUpload
{
    /// <summary>The server's image with this digest, or null when it has none stored.</summary>
    public static async Task<ImageInfo?> FindAsync(this HangarClient client, string sha256, CancellationToken ct)
    {
        try
        {
            var image = await client.GetAsync<ImageInfo>($"api/v1/images/sha256/{sha256}", ct);
            return image.Stored ? image : null;
        }
        catch (ApiException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static Task<IReadOnlyList<ImageInfo>> ImagesAsync(this HangarClient client, CancellationToken ct) =>
        client.GetAsync<IReadOnlyList<ImageInfo>>("api/v1/images", ct);

    /// <summary>Uploads <paramref name="path"/> as the image <paramref name="sha256"/>, reporting the bytes sent.</summary>
    /// <exception cref="ApiException">The server refused it (<see cref="ApiErrorCodes.ImageMismatch"/>: the file has another digest).</exception>
    public static async Task<ImageInfo> UploadAsync(this HangarClient client, string sha256, string path, IProgress<long>? progress, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var content = new StreamContent(new CountingStream(file, progress), 1 << 20);
        content.Headers.ContentLength = file.Length;
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"api/v1/images/sha256/{sha256}") { Content = content },
            HttpCompletionOption.ResponseContentRead, ct);
        return (await response.Content.ReadFromJsonAsync(ApiJson.Info<ImageInfo>(), ct))!;
    }

    /// <summary>A read-only view of a stream that reports how many bytes were read from it.</summary>
    private sealed class CountingStream(Stream inner, IProgress<long>? progress) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int read)
        {
            _read += read;
            progress?.Report(_read);
            return read;
        }
    }
}
