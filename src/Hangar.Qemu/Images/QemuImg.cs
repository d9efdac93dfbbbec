using Hangar.Processes;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Hangar.Qemu.Internal;

namespace Hangar.Qemu;

/// <summary>Creates and inspects disk images with <c>qemu-img</c>, run with an argument list.</summary>
public sealed class QemuImg
{
    /// <param name="binary">The qemu-img executable, looked up on PATH unless absolute.</param>
    public QemuImg(string binary = "qemu-img")
    {
        ArgumentException.ThrowIfNullOrEmpty(binary);
        Binary = binary;
    }

    public string Binary { get; }

    /// <summary>
    /// Creates a qcow2 overlay whose reads fall through to <paramref name="backingFile"/>, which is recorded by its
    /// absolute path (qemu-img would resolve a relative one against the overlay's directory).
    /// </summary>
    /// <param name="backingFormat">The backing file's format (<c>qcow2</c> or <c>raw</c>), so it is never probed.</param>
    /// <param name="sizeBytes">The overlay's virtual size; null for the backing file's size.</param>
    public Task CreateOverlayAsync(
        string backingFile, string backingFormat, string overlayPath, long? sizeBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(backingFile);
        ArgumentException.ThrowIfNullOrEmpty(backingFormat);
        ArgumentException.ThrowIfNullOrEmpty(overlayPath);
        if (sizeBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes, "The size must be positive.");

        List<string> arguments = ["create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", Path.GetFullPath(backingFile), overlayPath];
        if (sizeBytes is { } size) arguments.Add(size.ToString(CultureInfo.InvariantCulture));
        return RunAsync(arguments, $"create an overlay {overlayPath} on {backingFile}", cancellationToken);
    }

    /// <summary>Creates an empty qcow2 image of <paramref name="sizeBytes"/>.</summary>
    public Task CreateBlankAsync(string path, long sizeBytes, CancellationToken cancellationToken) =>
        CreateBlankAsync(path, "qcow2", sizeBytes, cancellationToken);

    /// <summary>Creates an empty image of <paramref name="format"/> (<c>qcow2</c> or <c>raw</c>) and <paramref name="sizeBytes"/>.</summary>
    public Task CreateBlankAsync(string path, string format, long sizeBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        return RunAsync(["create", "-q", "-f", format, path, sizeBytes.ToString(CultureInfo.InvariantCulture)],
            $"create a blank image {path}", cancellationToken);
    }

    /// <summary>
    /// Grows a qcow2 image to <paramref name="sizeBytes"/> of virtual size. qemu-img refuses to shrink without
    /// <c>--shrink</c>, which is never passed: a smaller size fails instead of losing data. The image must not be in use.
    /// </summary>
    public Task GrowAsync(string path, long sizeBytes, CancellationToken cancellationToken) => GrowAsync(path, "qcow2", sizeBytes, cancellationToken);

    /// <inheritdoc cref="GrowAsync(string, long, CancellationToken)"/>
    public Task GrowAsync(string path, string format, long sizeBytes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        return RunAsync(["resize", "-q", "-f", format, path, sizeBytes.ToString(CultureInfo.InvariantCulture)],
            $"grow image {path} to {sizeBytes} bytes", cancellationToken);
    }

    /// <summary>Reads an image's format and sizes. Works on an image a running QEMU holds (<c>--force-share</c>).</summary>
    public async Task<QemuImageInfo> InfoAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var result = await RunAsync(["info", "--output=json", "--force-share", path], $"read image {path}", cancellationToken)
            .ConfigureAwait(false);
        QemuImgInfoJson? json;
        try
        {
            json = JsonSerializer.Deserialize(result.StandardOutput, QemuJsonContext.Default.QemuImgInfoJson);
        }
        catch (JsonException e)
        {
            throw new QemuImgException($"qemu-img info {path} printed something that is not JSON.", null, result.StandardError, e);
        }
        if (json?.Format is null || json.VirtualSize is null)
            throw new QemuImgException($"qemu-img info {path} gave no format or virtual size.", null, result.StandardError);

        return new QemuImageInfo(json.Format, json.VirtualSize.Value, json.ActualSize,
            json.FullBackingFilename ?? json.BackingFilename, json.BackingFilenameFormat);
    }

    private async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, string what, CancellationToken cancellationToken)
    {
        ProcessResult result;
        try
        {
            result = await ProcessRunner.Instance.RunAsync(Binary, arguments, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new QemuImgException($"Could not start {Binary} to {what}.", null, "", e);
        }
        if (result.ExitCode != 0)
        {
            var stderr = result.StandardError.Trim();
            throw new QemuImgException(
                $"qemu-img could not {what} (exit code {result.ExitCode}): {(stderr.Length > 0 ? stderr : "(no output on stderr)")}",
                result.ExitCode, stderr);
        }
        return result;
    }
}
