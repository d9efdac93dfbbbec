using Hangar.Agent.Connection;
using Hangar.Agent.Images;
using Hangar.Agent.Secrets;
using Hangar.Agent.Vms;
using Microsoft.Extensions.Logging;

namespace Hangar.Agent;

/// <summary>One agent: its reconciler and its connection to a control plane, for as long as it runs.</summary>
public sealed class AgentHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private Task? _connectionTask;

    public AgentHost(AgentOptions options, ILoggerFactory loggers)
    {
        Options = options;
        Key = AgentKey.LoadOrCreate(options);
        Images = new VmImageResolver(options);
        Accelerators = new AcceleratorResolver(options, Images, loggers.CreateLogger<AcceleratorResolver>());
        Credentials = new CredentialStaging(options, Key);
        Credentials.RemoveLeftovers();
        Reconciler = new Reconciler(options, new QemuVmDriver(new VmLauncher(options, Images, Accelerators, Credentials)), loggers);
        Loggers = loggers;
    }

    public AgentOptions Options { get; }

    /// <summary>The agent's own age identity (secrets for its VMs are encrypted to its recipient).</summary>
    public AgentKey Key { get; }
    public VmImageResolver Images { get; }

    /// <summary>How the VMs' credentials reach QEMU (a secret's plaintext only on a tmpfs, only while QEMU starts).</summary>
    public CredentialStaging Credentials { get; }
    public AcceleratorResolver Accelerators { get; }
    public Reconciler Reconciler { get; }
    private ILoggerFactory Loggers { get; }
    public AgentConnection? Connection { get; private set; }

    /// <summary>
    /// Completes when the connection gives up for good: faulted with <see cref="AgentRefusedException"/> when the
    /// control plane refused the agent's credential. Never completes otherwise until disposal.
    /// </summary>
    public Task Stopped => _connectionTask ?? Task.CompletedTask;

    /// <summary>Resumes the desired state kept on disk and connects to the control plane at <paramref name="url"/>.</summary>
    public void Start(Uri url, string credential) => Start([url], credential);

    /// <summary>
    /// Resumes the desired state kept on disk and connects to the control plane at one of <paramref name="urls"/> (its
    /// replicas), the first that answers, and to another when that one goes away.
    /// </summary>
    public void Start(IReadOnlyList<Uri> urls, string credential)
    {
        Images.UseControlPlane(urls[0], credential);
        Reconciler.Start();
        Connection = new AgentConnection(urls, credential, Options, Reconciler, Accelerators,
            new VmStreamServer(Options, Reconciler, Loggers.CreateLogger<VmStreamServer>()), Loggers.CreateLogger<AgentConnection>(),
            url => Images.UseControlPlane(url, credential), Key.Recipient);
        _connectionTask = Task.Run(() => Connection.RunAsync(_cts.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_connectionTask is not null)
        {
            try { await _connectionTask; }
            catch (OperationCanceledException) { }
            catch (AgentRefusedException) { } // logged by the connection, and seen by whoever awaited Stopped
        }
        await Reconciler.DisposeAsync();
        Images.Dispose();
        _cts.Dispose();
    }
}
