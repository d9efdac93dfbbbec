namespace Hangar.Protocol.Api;

/// <summary>Body of <c>POST /api/v1/vms/NAME/exec</c>: a command to run in the guest through its guest agent.</summary>
/// <param name="Command">The program and its arguments (at least the program).</param>
/// <param name="Input">Its standard input (base64 in JSON); null for none.</param>
/// <param name="TimeoutSeconds">How long to wait for it to exit; null: <see cref="DefaultTimeoutSeconds"/>.</param>
public sealed record VmExecRequest(IReadOnlyList<string> Command, byte[]? Input = null, int? TimeoutSeconds = null)
{
    public const int DefaultTimeoutSeconds = 60;

    /// <summary>The longest wait a request may ask for.</summary>
    public const int MaxTimeoutSeconds = 3600;
}
