using System.Text.Json;

namespace Hangar.Qemu.Internal;

/// <summary>The one command in flight: its id (to match the reply) and where the reader loop puts the outcome.</summary>
internal sealed class PendingQmpCommand(string id, string command)
{
    public string Id { get; } = id;

    public string Command { get; } = command;

    public TaskCompletionSource<JsonElement> Reply { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
