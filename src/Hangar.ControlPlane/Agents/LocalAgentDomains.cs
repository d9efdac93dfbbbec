namespace Hangar.ControlPlane.Agents;

/// <summary>Where the control plane finds the <see cref="IVmDomainSource"/> of an agent in its own process, once that
/// agent runs (it starts after the control plane listens); null without one (<c>--no-agent</c>).</summary>
public sealed class LocalAgentDomains
{
    private volatile IVmDomainSource? _source;

    public IVmDomainSource? Source { get => _source; set => _source = value; }
}
