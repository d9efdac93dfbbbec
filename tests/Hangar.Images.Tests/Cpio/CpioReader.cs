using System.Globalization;
using System.Text;

namespace Hangar.Images.Tests.Cpio;

/// <summary>One entry of a newc archive, header fields as read.</summary>
internal sealed record CpioEntry(
    string Name, uint Inode, uint Mode, uint Uid, uint Gid, uint Nlink, uint Mtime, uint RdevMajor, uint RdevMinor, byte[] Data, long HeaderOffset)
{
    public uint FileType => Mode & 0xF000;

    public uint Permissions => Mode & 0xFFF;

    public string Text => Encoding.UTF8.GetString(Data);
}

/// <summary>A minimal newc reader for tests; checks magic and 4-byte alignment as it goes.</summary>
internal static class CpioReader
{
    public static List<CpioEntry> ReadAll(byte[] archive)
    {
        var entries = new List<CpioEntry>();
        var offset = 0;
        while (true)
        {
            if (offset % 4 != 0)
            {
                throw new InvalidDataException($"Header at {offset} is not 4-byte aligned.");
            }

            var header = Encoding.ASCII.GetString(archive, offset, 110);
            if (!header.StartsWith("070701", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Bad magic at {offset}: {header[..6]}");
            }

            uint Field(int index) => uint.Parse(header.AsSpan(6 + (index * 8), 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var nameSize = (int)Field(11);
            var fileSize = (int)Field(6);
            var name = Encoding.UTF8.GetString(archive, offset + 110, nameSize - 1);
            if (archive[offset + 110 + nameSize - 1] != 0)
            {
                throw new InvalidDataException($"Name of {name} is not NUL-terminated.");
            }

            var dataOffset = Align(offset + 110 + nameSize);
            var data = archive.AsSpan(dataOffset, fileSize).ToArray();
            entries.Add(new CpioEntry(name, Field(0), Field(1), Field(2), Field(3), Field(4), Field(5), Field(9), Field(10), data, offset));
            offset = Align(dataOffset + fileSize);
            if (name == "TRAILER!!!")
            {
                return entries;
            }
        }
    }

    private static int Align(int value) => (value + 3) & ~3;
}
