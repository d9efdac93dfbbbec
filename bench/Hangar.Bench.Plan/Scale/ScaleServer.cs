using Hangar.ControlPlane;
using Hangar.State;

namespace Hangar.Bench.Plan.Scale;

/// <summary>
/// The control plane of the scale bench, in a process of its own (<c>hangar-bench-plan --serve</c>), so that its
/// memory is measured alone: the harness's 1,000 agents and API clients live in the parent. Started like
/// <c>hangar server --no-agent</c> (same GC settings as <c>hangard</c>, JIT rather than native), the API token from
/// the environment; prints <c>url URL</c> once listening and stops when its standard input closes.
/// </summary>
internal static class ScaleServer
{
    public const string TokenVariable = "HANGAR_BENCH_TOKEN";

    public static async Task<int> RunAsync(string store, string directory)
    {
        var token = Environment.GetEnvironmentVariable(TokenVariable)
                    ?? throw new InvalidOperationException($"--serve needs the API token in {TokenVariable}.");
        var options = new ControlPlaneOptions(ControlPlaneOptions.DefaultListen, Path.Combine(directory, "state.db"), token)
        {
            Store = StateStoreLocation.Parse(store),
        };
        await using var server = await ControlPlaneServer.StartAsync(options, null, CancellationToken.None);
        Console.WriteLine("url " + server.Url);
        Console.Out.Flush();
        // The parent closes our standard input to stop us (and so does its death).
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
