using Hangar.Images.Debian12;

namespace Hangar.Images.Tests.Debian12;

/// <summary>The mirror of the debian-12 build is the one apt is configured with, reduced to the suite's entries.</summary>
public sealed class AptSourcesTests
{
    [Fact]
    public void ForSuite_Deb822AndOneLineSources_KeepsOnlyTheSuitesEntries()
    {
        using var dir = new TestDirectory();
        Directory.CreateDirectory(dir.Combine("sources.list.d"));
        File.WriteAllText(dir.Combine("sources.list"), """
            # a comment
            deb [signed-by=/k.gpg arch=amd64] http://mirror.example/debian bookworm-backports main contrib
            deb-src http://mirror.example/debian bookworm main
            deb http://other.example/ubuntu jammy main
            """);
        File.WriteAllText(dir.Combine("sources.list.d", "debian.sources"), """
            Types: deb
            # http://snapshot.debian.org/archive/debian/20250520T000000Z
            URIs: http://deb.debian.org/debian
            Suites: bookworm bookworm-updates trixie
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb
            URIs: http://disabled.example/debian
            Suites: bookworm
            Enabled: no
            """);
        File.WriteAllText(dir.Combine("sources.list.d", "vendor.list.disabled"), "deb http://vendor.example bookworm main\n");

        var text = AptSources.ForSuite(dir.Path, "bookworm");

        Assert.Equal("""
            Types: deb
            URIs: http://mirror.example/debian
            Suites: bookworm-backports
            Components: main contrib
            Signed-By: /k.gpg

            Types: deb
            URIs: http://deb.debian.org/debian
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg


            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void ForSuite_NoSourceOfTheSuite_ThrowsNamingTheDirectory()
    {
        using var dir = new TestDirectory();
        File.WriteAllText(dir.Combine("sources.list"), "deb http://other.example/ubuntu jammy main\n");

        var error = Assert.Throws<ImageBuildException>(() => AptSources.ForSuite(dir.Path, "bookworm"));

        Assert.Contains(dir.Path, error.Message);
        Assert.Contains("suite bookworm", error.Message);
    }
}
