using System.Diagnostics;
using System.Text;
using Hangar.Images.Cpio;

namespace Hangar.Images.Tests.Cpio;

public sealed class CpioWriterTests
{
    private const UnixFileMode Mode0755 =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public void AddFile_OneFile_WritesNewcHeaderFields()
    {
        var bytes = Write(cpio => cpio.AddFile("hello.txt", "hello"u8, Mode0644));

        var header = Encoding.ASCII.GetString(bytes, 0, CpioWriter.HeaderLength);
        Assert.Equal(
            "070701" + "00000001" + "000081a4" + "00000000" + "00000000" + "00000001" + "00000000" + "00000005" +
            "00000000" + "00000000" + "00000000" + "00000000" + "0000000a" + "00000000",
            header);
        Assert.Equal("hello.txt\0", Encoding.ASCII.GetString(bytes, 110, 10));
    }

    [Theory]
    [InlineData("a", 1)]
    [InlineData("ab", 2)]
    [InlineData("abc", 3)]
    [InlineData("abcd", 4)]
    [InlineData("abcde", 5)]
    public void AddFile_AnyNameAndDataLength_PadsNameAndDataToFourBytes(string name, int dataLength)
    {
        var data = Enumerable.Repeat((byte)'x', dataLength).ToArray();

        var bytes = Write(cpio =>
        {
            cpio.AddFile(name, data, Mode0644);
            cpio.AddFile(name + "2", data, Mode0644);
        });

        Assert.Equal(0, bytes.Length % 4);
        var entries = CpioReader.ReadAll(bytes); // checks every header starts 4-aligned
        Assert.Equal([name, name + "2", CpioWriter.TrailerName], entries.Select(e => e.Name));
        Assert.All(entries.Take(2), e => Assert.Equal(data, e.Data));
        // header + name rounded up to 4, then data rounded up to 4
        var expectedSecond = ((110 + name.Length + 1 + 3) & ~3) + ((dataLength + 3) & ~3);
        Assert.Equal(expectedSecond, entries[1].HeaderOffset);
    }

    [Fact]
    public void Finish_EmptyArchive_WritesOnlyTrailer()
    {
        var bytes = Write(_ => { });

        var entries = CpioReader.ReadAll(bytes);
        var trailer = Assert.Single(entries);
        Assert.Equal("TRAILER!!!", trailer.Name);
        Assert.Equal(0u, trailer.Mode);
        Assert.Empty(trailer.Data);
        Assert.Equal(124, bytes.Length); // 110 + "TRAILER!!!\0" (11) = 121, padded to 124
    }

    [Fact]
    public void AddFile_NestedPath_AddsMissingParentDirectoriesFirst()
    {
        var entries = CpioReader.ReadAll(Write(cpio => cpio.AddFile("lib/modules/x/a.ko", [1, 2, 3], Mode0644)));

        Assert.Equal(["lib", "lib/modules", "lib/modules/x", "lib/modules/x/a.ko", "TRAILER!!!"], entries.Select(e => e.Name));
        Assert.All(entries.Take(3), e => Assert.Equal(0x4000u, e.FileType));
        Assert.All(entries.Take(3), e => Assert.Equal(0x1EDu, e.Permissions)); // 0755
    }

    [Fact]
    public void AddSymlinkAndDevice_Written_HaveTypeTargetAndDeviceNumbers()
    {
        var entries = CpioReader.ReadAll(Write(cpio =>
        {
            cpio.AddSymlink("bin/sh", "busybox");
            cpio.AddCharacterDevice("dev/console", 5, 1, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }));

        var link = entries.Single(e => e.Name == "bin/sh");
        Assert.Equal(0xA000u, link.FileType);
        Assert.Equal("busybox", link.Text);
        var console = entries.Single(e => e.Name == "dev/console");
        Assert.Equal(0x2000u, console.FileType);
        Assert.Equal(0x180u, console.Permissions); // 0600
        Assert.Equal((5u, 1u), (console.RdevMajor, console.RdevMinor));
    }

    [Fact]
    public void AddEntries_Several_GetDistinctInodes()
    {
        var entries = CpioReader.ReadAll(Write(cpio =>
        {
            cpio.AddFile("a", "1"u8, Mode0644);
            cpio.AddFile("b", "2"u8, Mode0644);
            cpio.AddDirectory("c");
        }));

        var inodes = entries.Where(e => e.Name != "TRAILER!!!").Select(e => e.Inode).ToList();
        Assert.Equal(inodes.Count, inodes.Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("TRAILER!!!")]
    public void AddFile_InvalidPath_Throws(string path)
    {
        var cpio = new CpioWriter(new MemoryStream());

        Assert.ThrowsAny<ArgumentException>(() => cpio.AddFile(path, "x"u8, Mode0644));
    }

    [Fact]
    public void AddFile_SamePathTwice_Throws()
    {
        var cpio = new CpioWriter(new MemoryStream());
        cpio.AddFile("a", "x"u8, Mode0644);

        Assert.Throws<InvalidOperationException>(() => cpio.AddFile("/a", "y"u8, Mode0644));
    }

    [Fact]
    public void AddFile_AfterFinish_Throws()
    {
        var cpio = new CpioWriter(new MemoryStream());
        cpio.Finish();

        Assert.Throws<InvalidOperationException>(() => cpio.AddFile("a", "x"u8, Mode0644));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Archive_ExtractedBySystemCpio_RestoresFilesModesAndSymlinks()
    {
        Assert.True(File.Exists("/usr/bin/cpio"), "This test needs GNU cpio (apt-get install cpio).");

        var bytes = Write(cpio =>
        {
            cpio.AddFile("bin/tool", "#!/bin/sh\necho hi\n"u8, Mode0755);
            cpio.AddFile("etc/conf", "key=value\n"u8, Mode0644);
            cpio.AddSymlink("bin/alias", "tool");
            cpio.AddDirectory("empty");
        });
        using var directory = new TestDirectory();

        var startInfo = new ProcessStartInfo("/usr/bin/cpio")
        {
            WorkingDirectory = directory.Path,
            RedirectStandardInput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-idm", "--quiet", "--no-absolute-filenames" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.StandardInput.BaseStream.Write(bytes);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, stderr);
        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(directory.Combine("bin", "tool")));
        Assert.Equal(Mode0755, File.GetUnixFileMode(directory.Combine("bin", "tool")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(directory.Combine("etc", "conf")));
        Assert.Equal("tool", new FileInfo(directory.Combine("bin", "alias")).LinkTarget);
        Assert.True(Directory.Exists(directory.Combine("empty")));
    }

    private static byte[] Write(Action<CpioWriter> add)
    {
        using var stream = new MemoryStream();
        var cpio = new CpioWriter(stream);
        add(cpio);
        cpio.Finish();
        return stream.ToArray();
    }
}
