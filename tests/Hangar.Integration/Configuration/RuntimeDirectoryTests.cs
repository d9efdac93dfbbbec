using Hangar.Agent;
using Hangar.Server;

namespace Hangar.Integration.Configuration;

/// <summary><c>hangar agent --runtime-dir</c>: where the VMs' sockets go, one subdirectory per home.</summary>
public sealed class RuntimeDirectoryTests
{
    [Fact]
    public void ForHome_RuntimeRootGiven_KeepsEachHomeInItsOwnSubdirectoryOfIt()
    {
        var chosen = AgentOptions.ForHome("/srv/hangar");
        var given = AgentOptions.ForHome("/srv/hangar", runtimeRoot: "/run/other");
        var otherHome = AgentOptions.ForHome("/srv/hangar2", runtimeRoot: "/run/other");

        Assert.Equal("/run/other", Path.GetDirectoryName(given.RuntimeDirectory));
        // The same home, the same subdirectory whoever chose the root: an agent given the root it chose itself finds its VMs.
        Assert.Equal(Path.GetFileName(chosen.RuntimeDirectory), Path.GetFileName(given.RuntimeDirectory));
        Assert.NotEqual(given.RuntimeDirectory, otherHome.RuntimeDirectory);
    }

    [Fact]
    public void RuntimeRootFrom_RelativePath_IsAnErrorNamingTheFlag()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DaemonGlobals.RuntimeRootFrom("run/hangar"));

        Assert.Equal("--runtime-dir: 'run/hangar' is not an absolute path; give one such as /run/hangar.", e.Message);
        Assert.Equal("/run/hangar", DaemonGlobals.RuntimeRootFrom("/run/hangar"));
    }
}
