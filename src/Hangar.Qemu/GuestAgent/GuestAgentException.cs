namespace Hangar.Qemu;

/// <summary>
/// The guest agent (qemu-ga in the guest, reached over the VM's <c>org.qemu.guest_agent.0</c> channel) could not be
/// used: its socket cannot be reached, it did not answer in time (<see cref="NoAnswer"/>: no qemu-ga runs in the guest,
/// or it has not started yet), or it refused a command (<see cref="ErrorClass"/>).
/// </summary>
public sealed class GuestAgentException : QemuException
{
    public GuestAgentException(string message, bool noAnswer, string? errorClass = null, Exception? innerException = null)
        : base(message, innerException)
    {
        NoAnswer = noAnswer;
        ErrorClass = errorClass;
    }

    /// <summary>Nothing answered: the channel is there but no agent replied within the timeout, or the socket is gone.</summary>
    public bool NoAnswer { get; }

    /// <summary>The agent's error class (<c>GenericError</c>, <c>CommandNotFound</c>…) when it refused a command.</summary>
    public string? ErrorClass { get; }
}
