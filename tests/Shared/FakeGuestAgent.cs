using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Testing;

/// <summary>
/// A qemu-ga stand-in on a real unix socket, speaking its protocol: a 0xFF drops what was being parsed,
/// <c>guest-sync-delimited</c> is answered after a 0xFF, replies are one JSON object per line, <c>guest-shutdown</c>
/// gets no reply, and <c>guest-exec</c> runs the command for real on this host (so exit codes and output are real).
/// </summary>
internal sealed class FakeGuestAgent : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Dictionary<long, Process> _processes = [];
    private long _nextPid = 100;

    public FakeGuestAgent(string path, bool silent = false)
    {
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        Silent = silent;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Accepts connections and answers nothing: a VM without qemu-ga.</summary>
    public bool Silent { get; }

    /// <summary>Written before the sync reply, as a late reply of an earlier session would be.</summary>
    public byte[] StaleBytes { get; init; } = [];

    public JsonObject OsInfo { get; init; } = new() { ["name"] = "Debian GNU/Linux", ["version"] = "12 (bookworm)", ["pretty-name"] = "Debian GNU/Linux 12 (bookworm)" };

    public string HostName { get; init; } = "deb1";

    /// <summary>Commands this agent refuses with CommandNotFound.</summary>
    public IReadOnlySet<string> Disabled { get; init; } = new HashSet<string>();

    public int Shutdowns { get; private set; }

    public List<string> Commands { get; } = [];

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            using (client)
            {
                try { await SessionAsync(client); }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException) { }
            }
        }
    }

    private async Task SessionAsync(Socket client)
    {
        var pending = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0) return;
            if (Silent) continue;
            for (var i = 0; i < read; i++)
            {
                var b = buffer[i];
                if (b == 0xFF) { pending.Clear(); continue; }
                if (b != '\n') { pending.Add(b); continue; }
                var line = Encoding.UTF8.GetString([.. pending]);
                pending.Clear();
                if (JsonNode.Parse(line) is not JsonObject request) continue;
                var reply = Handle(request);
                if (reply is not null) await client.SendAsync(reply, SocketFlags.None, _stop.Token);
            }
        }
    }

    private byte[]? Handle(JsonObject request)
    {
        var command = request["execute"]!.GetValue<string>();
        var args = request["arguments"] as JsonObject;
        lock (Commands) Commands.Add(command);
        if (Disabled.Contains(command)) return Error("CommandNotFound", $"The command {command} has not been found");
        switch (command)
        {
            case "guest-sync-delimited":
                return [.. StaleBytes, 0xFF, .. Line(new JsonObject { ["return"] = args!["id"]!.GetValue<long>() })];
            case "guest-ping":
                return Return(new JsonObject());
            case "guest-get-osinfo":
                return Return(OsInfo.DeepClone());
            case "guest-get-host-name":
                return Return(new JsonObject { ["host-name"] = HostName });
            case "guest-network-get-interfaces":
                return Return(new JsonArray(
                    new JsonObject { ["name"] = "lo", ["ip-addresses"] = new JsonArray(new JsonObject { ["ip-address-type"] = "ipv4", ["ip-address"] = "127.0.0.1", ["prefix"] = 8 }) },
                    new JsonObject
                    {
                        ["name"] = "ens3",
                        ["hardware-address"] = "52:54:00:12:34:56",
                        ["ip-addresses"] = new JsonArray(
                            new JsonObject { ["ip-address-type"] = "ipv4", ["ip-address"] = "10.0.2.15", ["prefix"] = 24 },
                            new JsonObject { ["ip-address-type"] = "ipv6", ["ip-address"] = "fec0::5054:ff:fe12:3456", ["prefix"] = 64 }),
                    }));
            case "guest-shutdown":
                Shutdowns++;
                return null;
            case "guest-exec":
                return Exec(args!);
            case "guest-exec-status":
                return ExecStatus(args!["pid"]!.GetValue<long>());
            default:
                return Error("CommandNotFound", $"The command {command} has not been found");
        }
    }

    private byte[] Exec(JsonObject args)
    {
        var start = new ProcessStartInfo(args["path"]!.GetValue<string>())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args["arg"]?.AsArray() ?? []) start.ArgumentList.Add(arg!.GetValue<string>());
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e) { return Error("GenericError", $"Guest agent command failed, error was '{e.Message}'"); }
        if (args["input-data"] is { } input) process.StandardInput.BaseStream.Write(Convert.FromBase64String(input.GetValue<string>()));
        process.StandardInput.Close();
        var pid = _nextPid++;
        _processes[pid] = process;
        return Return(new JsonObject { ["pid"] = pid });
    }

    private byte[] ExecStatus(long pid)
    {
        if (!_processes.TryGetValue(pid, out var process)) return Error("GenericError", $"Invalid parameter 'pid'");
        if (!process.HasExited) return Return(new JsonObject { ["exited"] = false });
        var stdout = process.StandardOutput.BaseStream;
        using var outData = new MemoryStream();
        using var errData = new MemoryStream();
        stdout.CopyTo(outData);
        process.StandardError.BaseStream.CopyTo(errData);
        _processes.Remove(pid);
        var status = new JsonObject { ["exited"] = true, ["exitcode"] = process.ExitCode };
        if (outData.Length > 0) status["out-data"] = Convert.ToBase64String(outData.ToArray());
        if (errData.Length > 0) status["err-data"] = Convert.ToBase64String(errData.ToArray());
        process.Dispose();
        return Return(status);
    }

    private static byte[] Return(JsonNode value) => Line(new JsonObject { ["return"] = value });

    private static byte[] Error(string cls, string desc) => Line(new JsonObject { ["error"] = new JsonObject { ["class"] = cls, ["desc"] = desc } });

    private static byte[] Line(JsonObject reply) => Encoding.UTF8.GetBytes(reply.ToJsonString() + "\n");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        foreach (var process in _processes.Values) process.Dispose();
    }
}
