using System.Text;
using Hangar.Agent.Guests;
using Hangar.Qemu;

namespace Hangar.Agent.Health;

/// <summary>
/// An <c>exec</c> check: the command runs in the guest through its guest agent (qemu-ga) and passes when it exits 0.
/// A guest agent that does not answer yet (the guest still boots) is a failed attempt like a refused connection.
/// </summary>
public sealed class GuestExecProbe(GuestAgentLink? guestAgent, IReadOnlyList<string> command) : IHealthProbe
{
    /// <summary>
    /// The least time an attempt gives the command. Starting a program in a guest (qemu-ga forks, the program loads,
    /// under TCG at a fraction of native speed) takes longer than the 2 s a starting tcp or http attempt gets, which is
    /// sized for a TCP handshake.
    /// </summary>
    public static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromSeconds(10);

    private const int MaxDetailChars = 200;
    private readonly string _text = string.Join(' ', command);

    public async Task<ProbeResult> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (guestAgent is null) return ProbeResult.Fail("the VM has no guest agent channel");
        try
        {
            var result = await guestAgent.ExecAsync(command, null, timeout < MinAttemptTimeout ? MinAttemptTimeout : timeout, cancellationToken);
            if (result.ExitCode == 0) return ProbeResult.Pass($"{_text} exited 0");
            var said = Tail(result.Stderr.Length > 0 ? result.Stderr : result.Stdout);
            return ProbeResult.Fail($"{_text} exited {result.ExitCode}" + (said.Length > 0 ? $": {said}" : ""));
        }
        catch (GuestAgentException e) when (e.NoAnswer)
        {
            return ProbeResult.Fail("the guest agent does not answer (is qemu-ga running in the guest?)");
        }
        catch (GuestAgentException e)
        {
            return ProbeResult.Fail(e.Message);
        }
    }

    /// <summary>The output's last line, cut to fit a status line.</summary>
    private static string Tail(byte[] output)
    {
        var text = Encoding.UTF8.GetString(output).TrimEnd();
        var last = text[(text.LastIndexOf('\n') + 1)..].Trim();
        return last.Length > MaxDetailChars ? last[..MaxDetailChars] + "…" : last;
    }

    public void Dispose()
    {
    }
}
