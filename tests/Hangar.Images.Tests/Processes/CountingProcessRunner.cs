using System.Collections.Concurrent;
using Hangar.Processes;

namespace Hangar.Images.Tests.Processes;

/// <summary>Runs programs for real and records which ones were started.</summary>
internal sealed class CountingProcessRunner : IProcessRunner
{
    private readonly ConcurrentQueue<string> _started = new();

    public IReadOnlyCollection<string> Started => _started;

    public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken ct)
    {
        _started.Enqueue($"{fileName} {string.Join(' ', arguments)}");
        return ProcessRunner.Instance.RunAsync(fileName, arguments, workingDirectory, ct);
    }
}
