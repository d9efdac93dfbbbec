using System.Security.Cryptography;

namespace Hangar.Images.Tests;

public sealed class DiskImageVerifierTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task VerifyAsync_MatchingDigest_ReturnsIt()
    {
        var (path, sha256) = WriteImage("disk.qcow2", 3_000_000);

        var actual = await DiskImageVerifier.VerifyAsync(path, sha256.ToUpperInvariant(), CacheDirectory, CancellationToken.None);

        Assert.Equal(sha256, actual);
    }

    [Fact]
    public async Task VerifyAsync_PrefixedDigest_IsAccepted()
    {
        var (path, sha256) = WriteImage("disk.raw", 10);

        Assert.Equal(sha256, await DiskImageVerifier.VerifyAsync(path, "sha256:" + sha256, CacheDirectory, CancellationToken.None));
    }

    [Fact]
    public async Task VerifyAsync_OtherDigest_ThrowsWithPathAndBothDigests()
    {
        var (path, sha256) = WriteImage("disk.qcow2", 1000);
        var wrong = new string('0', 64);

        var error = await Assert.ThrowsAsync<ImageVerificationException>(
            () => DiskImageVerifier.VerifyAsync(path, wrong, CacheDirectory, CancellationToken.None));

        Assert.Equal(path, error.Path);
        Assert.Equal(wrong, error.ExpectedSha256);
        Assert.Equal(sha256, error.ActualSha256);
        Assert.Contains(wrong, error.Message);
        Assert.Contains(sha256, error.Message);
    }

    [Fact]
    public async Task VerifyAsync_UnchangedSizeAndMtime_UsesCachedDigestWithoutRehashing()
    {
        var (path, sha256) = WriteImage("disk.qcow2", 4096);
        await DiskImageVerifier.VerifyAsync(path, sha256, CacheDirectory, CancellationToken.None);
        // Change the content but keep size and mtime: only a cache hit still reports the old digest.
        var mtime = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, new byte[4096]);
        File.SetLastWriteTimeUtc(path, mtime);

        var actual = await DiskImageVerifier.VerifyAsync(path, sha256, CacheDirectory, CancellationToken.None);

        Assert.Equal(sha256, actual);
    }

    [Fact]
    public async Task VerifyAsync_FileChangedAfterCaching_Rehashes()
    {
        var (path, sha256) = WriteImage("disk.qcow2", 4096);
        await DiskImageVerifier.VerifyAsync(path, sha256, CacheDirectory, CancellationToken.None);
        File.WriteAllBytes(path, new byte[5000]);
        var newSha256 = Convert.ToHexStringLower(SHA256.HashData(new byte[5000]));

        var error = await Assert.ThrowsAsync<ImageVerificationException>(
            () => DiskImageVerifier.VerifyAsync(path, sha256, CacheDirectory, CancellationToken.None));

        Assert.Equal(newSha256, error.ActualSha256);
    }

    [Fact]
    public async Task VerifyAsync_MissingFile_ThrowsFileNotFound()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(
            () => DiskImageVerifier.VerifyAsync(_directory.Combine("nope.img"), new string('a', 64), CacheDirectory, CancellationToken.None));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public async Task VerifyAsync_MalformedExpectedDigest_ThrowsArgumentException(string expected)
    {
        var (path, _) = WriteImage("disk.raw", 10);

        await Assert.ThrowsAsync<ArgumentException>(() => DiskImageVerifier.VerifyAsync(path, expected, CacheDirectory, CancellationToken.None));
    }

    private string CacheDirectory => _directory.Combine("cache");

    private (string Path, string Sha256) WriteImage(string name, int size)
    {
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        var path = _directory.Combine(name);
        File.WriteAllBytes(path, content);
        return (path, Convert.ToHexStringLower(SHA256.HashData(content)));
    }
}
