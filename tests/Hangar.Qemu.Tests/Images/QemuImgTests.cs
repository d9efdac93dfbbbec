using Hangar.Qemu.Tests.TestSupport;

namespace Hangar.Qemu.Tests.Images;

public sealed class QemuImgTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly TempDirectory _temp = new();
    private readonly QemuImg _qemuImg = new();

    public void Dispose() => _temp.Dispose();

    private string RawBacking(long size)
    {
        var path = _temp.File("base.raw");
        using var file = File.Create(path);
        file.SetLength(size);
        return path;
    }

    [Fact]
    public async Task CreateOverlayAsync_RawBackingAndSize_InfoReportsQcow2OnTheBackingFile()
    {
        var backing = RawBacking(MiB);
        var overlay = _temp.File("vm.qcow2");

        await _qemuImg.CreateOverlayAsync(backing, "raw", overlay, 4 * MiB, CancellationToken.None);
        var info = await _qemuImg.InfoAsync(overlay, CancellationToken.None);

        Assert.Equal("qcow2", info.Format);
        Assert.Equal(4 * MiB, info.VirtualSizeBytes);
        Assert.Equal(backing, info.BackingFile);
        Assert.Equal("raw", info.BackingFormat);
    }

    [Fact]
    public async Task GrowAsync_LargerSize_InfoReportsItAndASmallerOneIsRefused()
    {
        var disk = _temp.File("disk.qcow2");
        await _qemuImg.CreateBlankAsync(disk, 4 * MiB, CancellationToken.None);

        await _qemuImg.GrowAsync(disk, 8 * MiB, CancellationToken.None);
        Assert.Equal(8 * MiB, (await _qemuImg.InfoAsync(disk, CancellationToken.None)).VirtualSizeBytes);

        // Never passed --shrink: qemu-img refuses, and the disk keeps its size.
        await Assert.ThrowsAsync<QemuImgException>(() => _qemuImg.GrowAsync(disk, 2 * MiB, CancellationToken.None));
        Assert.Equal(8 * MiB, (await _qemuImg.InfoAsync(disk, CancellationToken.None)).VirtualSizeBytes);
    }

    [Fact]
    public async Task CreateOverlayAsync_NoSize_TakesTheBackingFileSize()
    {
        var overlay = _temp.File("vm.qcow2");

        await _qemuImg.CreateOverlayAsync(RawBacking(2 * MiB), "raw", overlay, null, CancellationToken.None);

        Assert.Equal(2 * MiB, (await _qemuImg.InfoAsync(overlay, CancellationToken.None)).VirtualSizeBytes);
    }

    [Fact]
    public async Task CreateBlankAsync_Size_InfoReportsQcow2WithoutBacking()
    {
        var path = _temp.File("blank.qcow2");

        await _qemuImg.CreateBlankAsync(path, 8 * MiB, CancellationToken.None);
        var info = await _qemuImg.InfoAsync(path, CancellationToken.None);

        Assert.Equal(new QemuImageInfo("qcow2", 8 * MiB, info.ActualSizeBytes, null, null), info);
    }

    [Fact]
    public async Task CreateOverlayAsync_MissingBackingFile_ThrowsWithQemuImgStderr()
    {
        var error = await Assert.ThrowsAsync<QemuImgException>(() => _qemuImg.CreateOverlayAsync(
            _temp.File("missing.raw"), "raw", _temp.File("vm.qcow2"), null, CancellationToken.None));

        Assert.Equal(1, error.ExitCode);
        Assert.Contains("missing.raw", error.StandardError);
        Assert.Contains(error.StandardError, error.Message);
    }

    [Fact]
    public async Task InfoAsync_BinaryMissing_ThrowsQemuImgExceptionWithInner()
    {
        var error = await Assert.ThrowsAsync<QemuImgException>(
            () => new QemuImg("/nonexistent/qemu-img").InfoAsync(_temp.File("x"), CancellationToken.None));

        Assert.NotNull(error.InnerException);
    }
}
