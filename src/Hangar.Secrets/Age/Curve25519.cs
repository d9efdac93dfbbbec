using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hangar.Secrets.Age;

/// <summary>
/// X25519 (RFC 7748) and the map from an Ed25519 public key to its X25519 one, in constant time: field elements of
/// five 51-bit limbs, a Montgomery ladder with conditional swaps by mask, no branch or index on secret data. .NET has
/// no X25519 of its own; this is the one curve operation age needs. Checked against RFC 7748's vectors and the real
/// <c>age</c> binary.
/// </summary>
internal static class Curve25519
{
    /// <summary>The size of a scalar, a u-coordinate and a shared secret.</summary>
    public const int Size = 32;

    private const ulong Mask51 = (1UL << 51) - 1;
    private static readonly byte[] BasePoint = [9, .. new byte[31]];

    /// <summary>X25519(scalar, u): the u-coordinate of scalar·u. The scalar is clamped as the RFC says.</summary>
    public static byte[] ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> u)
    {
        if (scalar.Length != Size || u.Length != Size) throw new ArgumentException("X25519 takes a 32-byte scalar and a 32-byte point.");
        Span<byte> k = stackalloc byte[Size];
        scalar.CopyTo(k);
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;

        var x1 = Fe.FromBytes(u);
        Fe x2 = Fe.One, z2 = Fe.Zero, x3 = x1, z3 = Fe.One;
        ulong swap = 0;
        for (var t = 254; t >= 0; t--)
        {
            var bit = (ulong)((k[t >> 3] >> (t & 7)) & 1);
            swap ^= bit;
            Fe.Swap(swap, ref x2, ref x3);
            Fe.Swap(swap, ref z2, ref z3);
            swap = bit;

            var a = x2 + z2;
            var aa = a.Square();
            var b = x2 - z2;
            var bb = b.Square();
            var e = aa - bb;
            var c = x3 + z3;
            var d = x3 - z3;
            var da = d * a;
            var cb = c * b;
            x3 = (da + cb).Square();
            z3 = x1 * (da - cb).Square();
            x2 = aa * bb;
            z2 = e * (aa + Fe.A24 * e);
        }
        Fe.Swap(swap, ref x2, ref x3);
        Fe.Swap(swap, ref z2, ref z3);
        CryptographicOperations.ZeroMemory(k);
        return (x2 * z2.Invert()).ToBytes();
    }

    /// <summary>The public key of an X25519 private key: X25519(scalar, 9).</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> scalar) => ScalarMult(scalar, BasePoint);

    /// <summary>
    /// The X25519 public key of an Ed25519 public key (the birational map u = (1 + y) / (1 − y)); null for an encoding
    /// that has no such point (y = 1, the neutral element, or y not below the field's prime).
    /// </summary>
    public static byte[]? FromEd25519(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Size) return null;
        Span<byte> y = stackalloc byte[Size];
        publicKey.CopyTo(y);
        y[31] &= 127; // the sign of x
        var fy = Fe.FromBytes(y);
        if (!fy.ToBytes().AsSpan().SequenceEqual(y)) return null; // not canonical: y ≥ p
        var one = Fe.One;
        var denominator = one - fy;
        if (denominator.ToBytes().AsSpan().IndexOfAnyExcept((byte)0) < 0) return null;
        return ((one + fy) * denominator.Invert()).ToBytes();
    }

    private static readonly byte[] EdBaseX =
        [26, 213, 37, 143, 96, 45, 86, 201, 178, 167, 37, 149, 96, 199, 44, 105, 92, 220, 214, 253, 49, 226, 164, 192, 254, 83, 110, 205, 211, 54, 105, 33];

    private static readonly byte[] EdBaseY =
        [88, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102];

    /// <summary>2d, d = −121665/121666 being Ed25519's curve constant.</summary>
    private static readonly byte[] EdTwoD =
        [89, 241, 178, 38, 148, 155, 214, 235, 86, 177, 131, 130, 154, 20, 224, 0, 48, 209, 243, 238, 242, 128, 142, 25, 231, 252, 223, 86, 220, 217, 6, 36];

    /// <summary>
    /// The Ed25519 public key of a 32-byte private key (RFC 8032 5.1.5): the clamped first half of SHA-512(seed) times
    /// the base point, encoded as y with the sign of x in the top bit. A ladder of complete twisted Edwards additions
    /// (extended coordinates, "add-2008-hwcd-3") with conditional swaps: no branch or index on the secret.
    /// </summary>
    public static byte[] Ed25519PublicKey(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != Size) throw new ArgumentException("an Ed25519 private key has 32 bytes");
        var hash = SHA512.HashData(seed);
        var k = hash.AsSpan(0, Size);
        k[0] &= 248;
        k[31] &= 127;
        k[31] |= 64;
        var twoD = Fe.FromBytes(EdTwoD);
        var bx = Fe.FromBytes(EdBaseX);
        var by = Fe.FromBytes(EdBaseY);
        EdPoint r0 = new(Fe.Zero, Fe.One, Fe.One, Fe.Zero), r1 = new(bx, by, Fe.One, bx * by);
        for (var t = 254; t >= 0; t--)
        {
            var bit = (ulong)((k[t >> 3] >> (t & 7)) & 1);
            EdPoint.Swap(bit, ref r0, ref r1);
            r1 = EdPoint.Add(r0, r1, twoD);
            r0 = EdPoint.Add(r0, r0, twoD);
            EdPoint.Swap(bit, ref r0, ref r1);
        }
        CryptographicOperations.ZeroMemory(hash);
        var zInverse = r0.Z.Invert();
        var x = (r0.X * zInverse).ToBytes();
        var y = (r0.Y * zInverse).ToBytes();
        y[31] |= (byte)((x[0] & 1) << 7);
        return y;
    }

    /// <summary>A point of Ed25519 in extended coordinates (x = X/Z, y = Y/Z, T = XY/Z).</summary>
    private readonly record struct EdPoint(Fe X, Fe Y, Fe Z, Fe T)
    {
        /// <summary>P + Q for a = −1; complete on Ed25519 (d is not a square), so it doubles too.</summary>
        public static EdPoint Add(EdPoint p, EdPoint q, Fe twoD)
        {
            var a = (p.Y - p.X) * (q.Y - q.X);
            var b = (p.Y + p.X) * (q.Y + q.X);
            var c = p.T * twoD * q.T;
            var zz = p.Z * q.Z;
            var d = zz + zz;
            Fe e = b - a, f = d - c, g = d + c, h = b + a;
            return new EdPoint(e * f, g * h, f * g, e * h);
        }

        public static void Swap(ulong swap, ref EdPoint a, ref EdPoint b)
        {
            Fe ax = a.X, ay = a.Y, az = a.Z, at = a.T, bx = b.X, by = b.Y, bz = b.Z, bt = b.T;
            Fe.Swap(swap, ref ax, ref bx);
            Fe.Swap(swap, ref ay, ref by);
            Fe.Swap(swap, ref az, ref bz);
            Fe.Swap(swap, ref at, ref bt);
            a = new EdPoint(ax, ay, az, at);
            b = new EdPoint(bx, by, bz, bt);
        }
    }

    /// <summary>An element of GF(2^255 − 19) in five limbs of 51 bits (each may carry a few bits more between reductions).</summary>
    private readonly record struct Fe(ulong L0, ulong L1, ulong L2, ulong L3, ulong L4)
    {
        public static readonly Fe Zero = new(0, 0, 0, 0, 0);
        public static readonly Fe One = new(1, 0, 0, 0, 0);
        public static readonly Fe A24 = new(121665, 0, 0, 0, 0);

        // 4p, added before a subtraction so that no limb goes below zero (subtrahends are below 2^53 per limb).
        private const ulong FourP0 = 0x1FFFFFFFFFFFB4, FourP = 0x1FFFFFFFFFFFFC;

        public static Fe FromBytes(ReadOnlySpan<byte> bytes)
        {
            var w0 = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            var w1 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
            var w2 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
            var w3 = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]) & 0x7FFFFFFFFFFFFFFF;
            return new Fe(w0 & Mask51, ((w0 >> 51) | (w1 << 13)) & Mask51, ((w1 >> 38) | (w2 << 26)) & Mask51,
                ((w2 >> 25) | (w3 << 39)) & Mask51, (w3 >> 12) & Mask51);
        }

        /// <summary>The canonical 32 bytes: fully reduced below p, little-endian.</summary>
        public byte[] ToBytes()
        {
            var (h0, h1, h2, h3, h4) = (L0, L1, L2, L3, L4);
            for (var pass = 0; pass < 2; pass++)
            {
                h1 += h0 >> 51; h0 &= Mask51;
                h2 += h1 >> 51; h1 &= Mask51;
                h3 += h2 >> 51; h2 &= Mask51;
                h4 += h3 >> 51; h3 &= Mask51;
                h0 += 19 * (h4 >> 51); h4 &= Mask51;
            }
            // Now h < 2^255; subtract p once when h ≥ p, which is when h + 19 reaches 2^255.
            var q = (h0 + 19) >> 51;
            q = (h1 + q) >> 51;
            q = (h2 + q) >> 51;
            q = (h3 + q) >> 51;
            q = (h4 + q) >> 51;
            h0 += 19 * q;
            h1 += h0 >> 51; h0 &= Mask51;
            h2 += h1 >> 51; h1 &= Mask51;
            h3 += h2 >> 51; h2 &= Mask51;
            h4 += h3 >> 51; h3 &= Mask51;
            h4 &= Mask51; // drops the 2^255 that the +19 carried up
            var bytes = new byte[Size];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, h0 | (h1 << 51));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), (h1 >> 13) | (h2 << 38));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), (h2 >> 26) | (h3 << 25));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), (h3 >> 39) | (h4 << 12));
            return bytes;
        }

        public static Fe operator +(Fe a, Fe b) => new(a.L0 + b.L0, a.L1 + b.L1, a.L2 + b.L2, a.L3 + b.L3, a.L4 + b.L4);

        public static Fe operator -(Fe a, Fe b) =>
            new(a.L0 + FourP0 - b.L0, a.L1 + FourP - b.L1, a.L2 + FourP - b.L2, a.L3 + FourP - b.L3, a.L4 + FourP - b.L4);

        public static Fe operator *(Fe a, Fe b)
        {
            ulong b1 = b.L1 * 19, b2 = b.L2 * 19, b3 = b.L3 * 19, b4 = b.L4 * 19;
            var r0 = M(a.L0, b.L0) + M(a.L1, b4) + M(a.L2, b3) + M(a.L3, b2) + M(a.L4, b1);
            var r1 = M(a.L0, b.L1) + M(a.L1, b.L0) + M(a.L2, b4) + M(a.L3, b3) + M(a.L4, b2);
            var r2 = M(a.L0, b.L2) + M(a.L1, b.L1) + M(a.L2, b.L0) + M(a.L3, b4) + M(a.L4, b3);
            var r3 = M(a.L0, b.L3) + M(a.L1, b.L2) + M(a.L2, b.L1) + M(a.L3, b.L0) + M(a.L4, b4);
            var r4 = M(a.L0, b.L4) + M(a.L1, b.L3) + M(a.L2, b.L2) + M(a.L3, b.L1) + M(a.L4, b.L0);
            r1 += r0 >> 51;
            r2 += r1 >> 51;
            r3 += r2 >> 51;
            r4 += r3 >> 51;
            var t = (UInt128)((ulong)r0 & Mask51) + (r4 >> 51) * 19;
            var h1 = ((ulong)r1 & Mask51) + (ulong)(t >> 51);
            return new Fe((ulong)t & Mask51, h1, (ulong)r2 & Mask51, (ulong)r3 & Mask51, (ulong)r4 & Mask51);
        }

        public Fe Square() => this * this;

        /// <summary>This to the power p − 2 = 2^255 − 21, the inverse (zero stays zero). The exponent is public.</summary>
        public Fe Invert()
        {
            var result = One;
            for (var i = 254; i >= 0; i--)
            {
                result = result.Square();
                if (i >= 5 || i is 0 or 1 or 3) result *= this;
            }
            return result;
        }

        /// <summary>Swaps a and b when <paramref name="swap"/> is 1, leaves them when 0, without a branch.</summary>
        public static void Swap(ulong swap, ref Fe a, ref Fe b)
        {
            var mask = 0 - swap;
            ulong t0 = mask & (a.L0 ^ b.L0), t1 = mask & (a.L1 ^ b.L1), t2 = mask & (a.L2 ^ b.L2),
                t3 = mask & (a.L3 ^ b.L3), t4 = mask & (a.L4 ^ b.L4);
            a = new Fe(a.L0 ^ t0, a.L1 ^ t1, a.L2 ^ t2, a.L3 ^ t3, a.L4 ^ t4);
            b = new Fe(b.L0 ^ t0, b.L1 ^ t1, b.L2 ^ t2, b.L3 ^ t3, b.L4 ^ t4);
        }

        private static UInt128 M(ulong a, ulong b) => (UInt128)a * b;
    }
}
