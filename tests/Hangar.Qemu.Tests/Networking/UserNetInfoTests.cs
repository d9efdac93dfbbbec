using Hangar.Qemu.Networking;

namespace Hangar.Qemu.Tests.Networking;

public sealed class UserNetInfoTests
{
    // The TCP rows were captured from QEMU 7.2 (Debian 12) with a tiny guest: a connection made before the guest was
    // up, one it accepted on port 80, and the two forwards' listening sockets. The UDP row (a DHCP socket with its
    // expiry in place of a state) is written after them, to check that such rows are read too.
    private const string Captured = """
        Hub -1 (net0):
          Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ
          TCP[ESTABLISHED]   20       127.0.0.1 18081       10.0.2.15    80     0     0
          TCP[SYN_SENT]      16       127.0.0.1 18081       10.0.2.15    80     0     0
          TCP[HOST_FORWARD]  12       127.0.0.1 18081       10.0.2.15    80     0     0
          TCP[HOST_FORWARD]  11       127.0.0.1 18082       10.0.2.15    81     0     0
          UDP[236 sec]       18       10.0.2.15   68        10.0.2.2    67     0     0
        """;

    [Fact]
    public void Parse_CapturedOutput_ReadsEveryRow()
    {
        var rows = UserNetInfo.Parse(Captured);
        Assert.Equal(5, rows.Count);
        Assert.Equal(new UserNetConnection("TCP", "ESTABLISHED", 20, "127.0.0.1", 18081, "10.0.2.15", 80), rows[0]);
        Assert.Equal(("TCP", "SYN_SENT", 16), (rows[1].Protocol, rows[1].State, rows[1].Fd));
        Assert.Equal(("TCP", "HOST_FORWARD", 11, 81), (rows[3].Protocol, rows[3].State, rows[3].Fd, rows[3].GuestPort));
        Assert.Equal(("UDP", "236 sec"), (rows[4].Protocol, rows[4].State));
    }

    [Theory]
    [InlineData("ESTABLISHED", true)]
    [InlineData("CLOSE_WAIT", true)]
    [InlineData("FIN_WAIT_2", true)]
    [InlineData("SYN_SENT", false)]
    [InlineData("SYN_RCVD", false)]
    [InlineData("HOST_FORWARD", false)]
    [InlineData("CLOSED", false)]
    public void GuestAccepted_OnlyAfterTheGuestsSynAck(string state, bool accepted) =>
        Assert.Equal(accepted, new UserNetConnection("TCP", state, 3, "127.0.0.1", 1, "10.0.2.15", 80).GuestAccepted);

    [Fact]
    public void Parse_HmpError_ThrowsWithQemusAnswer()
    {
        var error = Assert.Throws<QemuException>(() => UserNetInfo.Parse("unknown command: 'info usernet'\r\n"));
        Assert.Equal("QEMU answered 'info usernet' with no table of connections: unknown command: 'info usernet'", error.Message);
    }

    [Fact]
    public void Parse_NoConnections_Empty() =>
        Assert.Empty(UserNetInfo.Parse("Hub -1 (net0):\n  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\n"));
}
