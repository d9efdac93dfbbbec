using System.Net.Sockets;
using System.Text;
using Hangar.Integration.Support;

namespace Hangar.Integration.Cli;

/// <summary><c>display: vnc</c> on a real QEMU: a VNC server on 127.0.0.1 at the VM's port, that speaks RFB.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class DisplayTests
{
    [Fact]
    public async Task Up_VmWithVnc_ServesRfbOnItsLoopbackPortShownInVmListAndKeepsItAcrossARestart()
    {
        await using var home = new HangarHome();
        // A range of one reserved port (they are from 20000: above 5900, where QEMU's displays start) keeps parallel runs apart.
        var port = home.ReservePort();
        var fleet = home.WriteFleet($"settings: {{ vncPorts: \"{port}-{port}\" }}\nvms:\n  web: {{ image: tiny, display: vnc }}\n");

        await home.OkAsync("up", fleet);

        Assert.Equal(port, (await home.StatusAsync()).Vms.Single().Vnc);
        Assert.Contains($"127.0.0.1:{port} vnc", (await home.OkAsync("vm", "list")).Stdout);
        Assert.Contains($"vnc:             127.0.0.1:{port}", (await home.OkAsync("vm", "show", "web")).Stdout);
        Assert.Equal("RFB 003.008\n", await BannerAsync(port));

        await home.OkAsync("vm", "restart", "web");
        Assert.Equal("RFB 003.008\n", await BannerAsync(port));
    }

    /// <summary>The RFB protocol version a VNC server sends first (RFC 6143, 7.1.1).</summary>
    private static async Task<string> BannerAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        var banner = new byte[12];
        await client.GetStream().ReadExactlyAsync(banner, timeout.Token);
        return Encoding.ASCII.GetString(banner);
    }
}
