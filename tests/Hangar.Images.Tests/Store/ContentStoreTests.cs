using System.Security.Cryptography;
using Hangar.Images.Store;

namespace Hangar.Images.Tests.Store;

public sealed class ContentStoreTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task PutAsync_BytesMatchTheirDigest_KeepsThemUnderIt()
    {
        var store = new ContentStore(_dir.Combine("store"));
        var content = RandomNumberGenerator.GetBytes(2_000_000);

        var image = await store.PutAsync(Sha(content), new MemoryStream(content), content.Length, null, CancellationToken.None);

        Assert.Equal(Path.Combine(store.Directory, Sha(content)), image.Path);
        Assert.Equal(content, await File.ReadAllBytesAsync(image.Path));
        Assert.Equal([image], store.List());
        Assert.Equal(image, store.Find(Sha(content)));
        Assert.Empty(Directory.GetFiles(store.PartialDirectory));
    }

    [Fact]
    public async Task PutAsync_BytesOfAnotherDigest_KeepsNothingAndNamesBothDigests()
    {
        var store = new ContentStore(_dir.Combine("store"));
        var content = RandomNumberGenerator.GetBytes(1000);
        var claimed = Sha([1, 2, 3]);

        var e = await Assert.ThrowsAsync<ImageVerificationException>(() => store.PutAsync(claimed, new MemoryStream(content), null, null, CancellationToken.None));

        Assert.Equal((claimed, Sha(content)), (e.ExpectedSha256, e.ActualSha256));
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(store.PartialDirectory));
    }

    [Fact]
    public async Task PutAsync_FewerBytesThanAnnounced_KeepsNothing()
    {
        var store = new ContentStore(_dir.Combine("store"));
        var content = RandomNumberGenerator.GetBytes(1000);

        var e = await Assert.ThrowsAsync<ImageSizeException>(() => store.PutAsync(Sha(content), new MemoryStream(content), 2000, null, CancellationToken.None));

        Assert.Equal((2000, 1000), (e.ExpectedBytes, e.ActualBytes));
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task Delete_RemovesTheImage_AndListIgnoresOtherFiles()
    {
        var store = new ContentStore(_dir.Combine("store"));
        var content = RandomNumberGenerator.GetBytes(10);
        await store.PutAsync(Sha(content), new MemoryStream(content), null, null, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(store.Directory, "notes.txt"), "not an image");

        Assert.True(store.Delete(Sha(content)));
        Assert.False(store.Delete(Sha(content)));
        Assert.Empty(store.List());
    }

    [Fact]
    public void PathOf_NotADigest_Throws()
    {
        var store = new ContentStore(_dir.Combine("store"));
        Assert.Throws<ArgumentException>(() => store.PathOf("../../etc/passwd"));
    }
}
