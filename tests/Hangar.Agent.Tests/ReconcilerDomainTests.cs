using System.Xml.Linq;
using Hangar.Agent.Tests.Vms;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Agent.Wire;
using Hangar.Qemu.Libvirt;
using Microsoft.Extensions.Logging.Abstractions;
using static Hangar.Agent.Tests.Vms.SupervisorHarness;

namespace Hangar.Agent.Tests;

/// <summary><see cref="Reconciler.DomainXmlAsync"/>: a desired VM's libvirt domain from its driver's plan, on the fake driver.</summary>
public sealed class ReconcilerDomainTests
{
    [Fact]
    public async Task DomainXmlAsync_DesiredVm_IsItsPlansConfigurationWithTheSpecsImageInTheMetadata()
    {
        await using var vms = new SupervisorHarness();
        await using var reconciler = new Reconciler(vms.Options, vms.Driver, NullLoggerFactory.Instance);
        var spec = TestVm(name: "web") with { Vcpu = 3 };
        reconciler.Apply(new DesiredStateMessage(1, 1, [WireMapping.ToWire(new DesiredVm(spec, null, false, 0))], PurgeRemoved: false));

        var domain = XDocument.Parse((await reconciler.DomainXmlAsync("web", CancellationToken.None))!).Root!;

        // The fake driver plans vcpu and memory from the spec and TCG, as the real one does.
        Assert.Equal(("qemu", "web", "3", (spec.Memory.Bytes / 1024).ToString()),
            ((string)domain.Attribute("type")!, domain.Element("name")!.Value, domain.Element("vcpu")!.Value, domain.Element("memory")!.Value));
        var metadata = domain.Element("metadata")!.Element(XName.Get("vm", LibvirtDomainXml.HangarNamespace))!;
        Assert.Equal((spec.Image, vms.Options.Name), ((string)metadata.Attribute("image")!, (string)metadata.Attribute("agent")!));
    }

    [Fact]
    public async Task DomainXmlAsync_VmNotOnThisAgent_IsNull()
    {
        await using var vms = new SupervisorHarness();
        await using var reconciler = new Reconciler(vms.Options, vms.Driver, NullLoggerFactory.Instance);
        reconciler.Apply(new DesiredStateMessage(1, 1, [WireMapping.ToWire(new DesiredVm(TestVm(name: "web"), null, false, 0))], PurgeRemoved: false));

        Assert.Null(await reconciler.DomainXmlAsync("db", CancellationToken.None));
    }
}
