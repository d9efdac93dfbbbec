using Hangar.Processes;

namespace Hangar.Integration.Support;

/// <summary>A network namespace of the test's own (<c>ip netns add</c>) with its loopback up; deleted on dispose.</summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var netns = new NetworkNamespace($"hgit-{Guid.NewGuid():N}"[..13]);
        await Ip("netns", "add", netns.Name);
        await netns.RunAsync("ip", "link", "set", "lo", "up");
        return netns;
    }

    /// <summary>Runs a program in the namespace; it must succeed. Returns what it printed.</summary>
    public async Task<string> RunAsync(string program, params string[] args) => await Ip(["netns", "exec", Name, program, .. args]);

    private static async Task<string> Ip(params string[] args)
    {
        var result = await ProcessRunner.Instance.RunAsync("ip", args, null, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"ip {string.Join(' ', args)}: {result.StandardError}");
        return result.StandardOutput;
    }

    public async ValueTask DisposeAsync() => await ProcessRunner.Instance.RunAsync("ip", ["netns", "delete", Name], null, CancellationToken.None);
}
