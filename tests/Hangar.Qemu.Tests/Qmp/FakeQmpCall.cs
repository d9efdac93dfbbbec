using System.Text.Json;

namespace Hangar.Qemu.Tests.Qmp;

/// <summary>One command the fake server received, with ways to answer it.</summary>
internal sealed class FakeQmpCall(FakeQmpConnection connection, string command, string? id, JsonElement? arguments)
{
    public FakeQmpConnection Connection { get; } = connection;

    public string Command { get; } = command;

    public string? Id { get; } = id;

    public JsonElement? Arguments { get; } = arguments;

    public Task ReplyAsync(object? value = null) =>
        Connection.SendAsync(new { @return = value ?? new { }, id = Id });

    public Task ErrorAsync(string errorClass, string description) =>
        Connection.SendAsync(new { id = Id, error = new { @class = errorClass, desc = description } });
}
