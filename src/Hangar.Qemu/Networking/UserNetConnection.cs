namespace Hangar.Qemu.Networking;

/// <summary>
/// One socket of QEMU's user-mode network (libslirp), as <c>info usernet</c> lists it.
/// </summary>
/// <param name="Protocol">TCP or UDP.</param>
/// <param name="State">The slirp socket's state: <c>HOST_FORWARD</c> for a forward's listening socket, else a TCP state
/// of slirp's connection to the guest (<c>SYN_SENT</c>, <c>ESTABLISHED</c>, <c>CLOSE_WAIT</c>…).</param>
/// <param name="Fd">QEMU's file descriptor of the host-side socket.</param>
/// <param name="SourceAddress">For forwards, the host address the forward listens on.</param>
/// <param name="SourcePort">For forwards, the host port.</param>
/// <param name="GuestAddress">The guest's address.</param>
/// <param name="GuestPort">The guest's port.</param>
public sealed record UserNetConnection(
    string Protocol, string State, int Fd, string SourceAddress, int SourcePort, string GuestAddress, int GuestPort)
{
    /// <summary>
    /// The guest's TCP stack answered slirp's SYN: a socket in the guest accepted the connection. slirp leaves
    /// <c>SYN_SENT</c> only on the guest's SYN-ACK (to <c>ESTABLISHED</c> and the states after it) or its RST
    /// (the socket is dropped and disappears from the list).
    /// </summary>
    public bool GuestAccepted => Protocol == "TCP" && State is "ESTABLISHED" or "CLOSE_WAIT" or "FIN_WAIT_1"
        or "CLOSING" or "LAST_ACK" or "FIN_WAIT_2" or "TIME_WAIT";
}
