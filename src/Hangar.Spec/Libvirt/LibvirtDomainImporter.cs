using System.Xml.Linq;

namespace Hangar.Spec.Libvirt;

/// <summary>
/// <c>hangar import libvirt</c>: turns a libvirt domain XML into a fleet-file entry, and names every part of the domain it
/// could not carry over (<see cref="LibvirtNote"/>). A domain that <c>hangar vm xml</c> wrote gives the VM back as its
/// fleet file had it: its image and disk size are in the domain's Hangar metadata.
/// </summary>
/// <remarks>The XML is read with no DTD and no resolver (<see cref="LibvirtXml.Load"/>): a file built to be expensive,
/// such as an entity bomb, is refused before anything is expanded.</remarks>
public static class LibvirtDomainImporter
{
    /// <summary>The namespace of Hangar's element in a domain's <c>&lt;metadata&gt;</c> (as <c>Hangar.Qemu.Libvirt.LibvirtDomainXml</c> writes it).</summary>
    public const string HangarNamespace = "https://hangar.dev/libvirt/vm/1";

    /// <summary>The namespace of libvirt's <c>&lt;qemu:commandline&gt;</c>.</summary>
    public const string QemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0";

    /// <param name="text">The domain XML.</param>
    /// <param name="file">The file's name, for errors.</param>
    /// <param name="name">The VM's name in the fleet file; null for the domain's own (made a valid name when it is not one).</param>
    /// <param name="sha256Of">The SHA-256 (hex) of the file at a path, or null when it cannot be read here; null to hash nothing.</param>
    /// <exception cref="LibvirtImportException">Not well-formed XML, a root that is not &lt;domain&gt;, a missing or bad value.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a fleet-file name.</exception>
    public static LibvirtImport Import(string text, string file, string? name = null, Func<string, string?>? sha256Of = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        if (name is not null && !SpecPatterns.NameRegex.IsMatch(name))
            throw new ArgumentException($"--name '{name}' is not a VM name: 1 to 63 lowercase letters, digits and '-', starting with a letter.", nameof(name));
        var root = LibvirtXml.Load(text, file).Root!;
        if (root.Name != "domain")
            throw LibvirtXml.Error(root, file, $"The root element is <{root.Name}>, not <domain>: this is not a libvirt domain.");
        var context = new DomainReader(root, file, sha256Of);
        var vm = context.Read(name);
        return new LibvirtImport(ImportedVmYaml.Write(vm, Path.GetFileName(file), root.Element("name")!.Value), vm.Name, context.Notes);
    }

    /// <summary>The VM's name from a libvirt name: lowercase, other characters made '-', starting with a letter, at most 63.</summary>
    internal static string FleetName(string libvirtName)
    {
        var chars = libvirtName.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var name = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        if (name.Length == 0 || !char.IsAsciiLetter(name[0])) name = "vm-" + name;
        if (name.Length > 63) name = name[..63];
        return name.TrimEnd('-');
    }
}
