using Hangar.Processes;

namespace Hangar.Qemu.Tests.Libvirt;

/// <summary>Checks a domain against libvirt's own schema with <c>virt-xml-validate</c> (Debian's libvirt-clients).</summary>
public static class VirtXmlValidate
{
    /// <summary>Throws with libvirt's complaint unless <paramref name="xml"/> is a valid domain.</summary>
    public static async Task AssertValidDomainAsync(string xml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"hangar-domain-{Guid.NewGuid():N}.xml");
        await File.WriteAllTextAsync(path, xml);
        try
        {
            var result = await ProcessRunner.Instance.RunAsync("virt-xml-validate", [path, "domain"], null, CancellationToken.None);
            Assert.True(result.ExitCode == 0,
                $"virt-xml-validate refused the domain (exit {result.ExitCode}):\n{result.StandardError}{result.StandardOutput}\n{xml}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
