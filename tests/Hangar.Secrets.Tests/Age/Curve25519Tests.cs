using Hangar.Secrets.Age;

namespace Hangar.Secrets.Tests.Age;

/// <summary>X25519 against RFC 7748's test vectors (section 5.2 and the Diffie-Hellman example of section 6.1).</summary>
public sealed class Curve25519Tests
{
    [Theory]
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    // The u of this one has its top bit set, which X25519 ignores.
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void ScalarMult_Rfc7748Vectors_GiveTheRfcsOutput(string scalar, string u, string expected) =>
        Assert.Equal(expected, Convert.ToHexStringLower(Curve25519.ScalarMult(Convert.FromHexString(scalar), Convert.FromHexString(u))));

    [Fact]
    public void ScalarMult_IteratedThousandTimes_GivesTheRfcsOutput()
    {
        byte[] k = [9, .. new byte[31]], u = [9, .. new byte[31]];
        for (var i = 1; i <= 1000; i++)
        {
            (k, u) = (Curve25519.ScalarMult(k, u), k);
            if (i == 1) Assert.Equal("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", Convert.ToHexStringLower(k));
        }
        Assert.Equal("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", Convert.ToHexStringLower(k));
    }

    [Fact]
    public void PublicKeyAndScalarMult_Rfc7748DiffieHellman_BothSidesAgree()
    {
        var alice = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bob = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");

        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(Curve25519.PublicKey(alice)));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(Curve25519.PublicKey(bob)));
        const string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        Assert.Equal(shared, Convert.ToHexStringLower(Curve25519.ScalarMult(alice, Curve25519.PublicKey(bob))));
        Assert.Equal(shared, Convert.ToHexStringLower(Curve25519.ScalarMult(bob, Curve25519.PublicKey(alice))));
    }

    [Fact]
    public void FromEd25519_NeutralElement_Null()
    {
        // y = 1 encodes the neutral element, which has no X25519 form (1 − y = 0).
        byte[] neutral = [1, .. new byte[31]];
        Assert.Null(Curve25519.FromEd25519(neutral));
    }
}
