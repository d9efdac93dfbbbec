using System.Buffers.Binary;
using System.Text;

namespace Hangar.Secrets.Age;

/// <summary>A reader of SSH's wire encoding (RFC 4251: uint32, and strings prefixed by their uint32 length).</summary>
internal ref struct SshWire(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public readonly bool AtEnd => _rest.IsEmpty;

    public uint? UInt32()
    {
        if (_rest.Length < 4) return null;
        var value = BinaryPrimitives.ReadUInt32BigEndian(_rest);
        _rest = _rest[4..];
        return value;
    }

    public ReadOnlySpan<byte> Bytes(out bool ok)
    {
        ok = false;
        if (UInt32() is not { } length || length > _rest.Length) return default;
        var value = _rest[..(int)length];
        _rest = _rest[(int)length..];
        ok = true;
        return value;
    }

    public string? String() => Bytes(out var ok) is var bytes && ok ? Encoding.ASCII.GetString(bytes) : null;

    /// <summary>The wire encoding of an ssh-ed25519 public key.</summary>
    public static byte[] Ed25519PublicKey(ReadOnlySpan<byte> key)
    {
        var type = "ssh-ed25519"u8;
        var wire = new byte[4 + type.Length + 4 + key.Length];
        BinaryPrimitives.WriteUInt32BigEndian(wire, (uint)type.Length);
        type.CopyTo(wire.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(wire.AsSpan(4 + type.Length), (uint)key.Length);
        key.CopyTo(wire.AsSpan(8 + type.Length));
        return wire;
    }
}
