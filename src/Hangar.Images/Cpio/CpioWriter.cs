using System.Text;

namespace Hangar.Images.Cpio;

/// <summary>
/// Writes a cpio archive in the "newc" format (SVR4 without CRC), the format the Linux kernel unpacks as initramfs.
/// </summary>
/// <remarks>
/// Each entry is a 110-byte ASCII header ("070701" + 13 fields of 8 hex digits), the NUL-terminated name padded
/// to a multiple of 4 bytes (counting the header), then the data padded to a multiple of 4. The archive ends with
/// an entry named <c>TRAILER!!!</c>. Names are relative ("bin/busybox"). Missing parent directories are added
/// (mode 0755) because the kernel does not create them. All entries get the same mtime so the output is
/// reproducible. The writer does not own the stream; call <see cref="Finish"/> to write the trailer.
/// </remarks>
internal sealed class CpioWriter
{
    public const string Magic = "070701";
    public const string TrailerName = "TRAILER!!!";
    public const int HeaderLength = 110;

    // File type bits of st_mode (octal 0170000 and friends).
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int TypeSymlink = 0xA000;
    private const int TypeCharacterDevice = 0x2000;

    private readonly Stream _output;
    private readonly long _mtime;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private uint _nextInode = 1;
    private bool _finished;

    public CpioWriter(Stream output, DateTimeOffset? modificationTime = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _mtime = (modificationTime ?? DateTimeOffset.UnixEpoch).ToUnixTimeSeconds();
    }

    public void AddDirectory(string path, UnixFileMode permissions = DefaultDirectoryMode)
    {
        var name = Normalize(path);
        if (_names.Contains(name))
        {
            return;
        }

        AddParents(name);
        WriteEntry(name, TypeDirectory | (int)permissions, nlink: 2, data: ReadOnlySpan<byte>.Empty);
    }

    public void AddFile(string path, ReadOnlySpan<byte> content, UnixFileMode permissions)
    {
        var name = Normalize(path);
        EnsureNew(name);
        AddParents(name);
        WriteEntry(name, TypeRegular | (int)permissions, nlink: 1, content);
    }

    public void AddSymlink(string path, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var name = Normalize(path);
        EnsureNew(name);
        AddParents(name);
        // Symlink permissions are ignored by Linux; 0777 is what every tool writes.
        WriteEntry(name, TypeSymlink | 0x1FF, nlink: 1, Encoding.UTF8.GetBytes(target));
    }

    public void AddCharacterDevice(string path, int major, int minor, UnixFileMode permissions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(major);
        ArgumentOutOfRangeException.ThrowIfNegative(minor);
        var name = Normalize(path);
        EnsureNew(name);
        AddParents(name);
        WriteEntry(name, TypeCharacterDevice | (int)permissions, nlink: 1, ReadOnlySpan<byte>.Empty, major, minor);
    }

    /// <summary>Writes the trailer entry. No entries can be added afterwards.</summary>
    public void Finish()
    {
        ThrowIfFinished();
        WriteHeaderAndName(TrailerName, inode: 0, mode: 0, nlink: 1, mtime: 0, fileSize: 0, rdevMajor: 0, rdevMinor: 0);
        _finished = true;
    }

    public const UnixFileMode DefaultDirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private void AddParents(string name)
    {
        var slash = name.LastIndexOf('/');
        if (slash > 0)
        {
            AddDirectory(name[..slash]);
        }
    }

    private void EnsureNew(string name)
    {
        if (_names.Contains(name))
        {
            throw new InvalidOperationException($"The archive already has an entry '{name}'.");
        }
    }

    private void WriteEntry(string name, int mode, int nlink, ReadOnlySpan<byte> data, int rdevMajor = 0, int rdevMinor = 0)
    {
        ThrowIfFinished();
        _names.Add(name);
        WriteHeaderAndName(name, _nextInode++, mode, nlink, _mtime, data.Length, rdevMajor, rdevMinor);
        _output.Write(data);
        WritePadding(data.Length);
    }

    private void WriteHeaderAndName(string name, uint inode, int mode, int nlink, long mtime, long fileSize, int rdevMajor, int rdevMinor)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var nameSize = nameBytes.Length + 1; // the NUL counts
        var header = new StringBuilder(HeaderLength)
            .Append(Magic)
            .Append(Hex(inode))
            .Append(Hex(mode))
            .Append(Hex(0)) // uid: root
            .Append(Hex(0)) // gid: root
            .Append(Hex(nlink))
            .Append(Hex(mtime))
            .Append(Hex(fileSize))
            .Append(Hex(0)) // devmajor
            .Append(Hex(0)) // devminor
            .Append(Hex(rdevMajor))
            .Append(Hex(rdevMinor))
            .Append(Hex(nameSize))
            .Append(Hex(0)) // check: only used by the "crc" format
            .ToString();
        _output.Write(Encoding.ASCII.GetBytes(header));
        _output.Write(nameBytes);
        _output.WriteByte(0);
        WritePadding(HeaderLength + nameSize);
    }

    private void WritePadding(long length)
    {
        var padding = (int)((4 - (length % 4)) % 4);
        for (var i = 0; i < padding; i++)
        {
            _output.WriteByte(0);
        }
    }

    private static string Hex(long value)
    {
        if (value is < 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A newc header field holds 32 bits.");
        }

        return value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Normalize(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = path.TrimStart('/');
        if (name.Length == 0 || name.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"'{path}' is not a valid archive path.", nameof(path));
        }

        if (name == TrailerName)
        {
            throw new ArgumentException($"'{TrailerName}' is reserved for the end of the archive.", nameof(path));
        }

        return name;
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException("The archive is already finished.");
        }
    }
}
