using System.Globalization;
using System.Text;

namespace Hangar.Spec.Libvirt;

/// <summary>Writes an <see cref="ImportedVm"/> as fleet-file YAML: <c>images:</c> (when it brings an image) and <c>vms:</c>.</summary>
internal static class ImportedVmYaml
{
    /// <summary>What an unknown digest is written as: valid, and clearly not an image's.</summary>
    public const string UnknownSha256 = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string Write(ImportedVm vm, string sourceFile, string domainName)
    {
        var yaml = new StringBuilder();
        yaml.Append("# From libvirt domain ").Append(domainName).Append(" (").Append(sourceFile).Append(") by hangar import libvirt.\n");
        if (vm.DeclaredImage is { } image)
        {
            yaml.Append("images:\n  ").Append(vm.Image).Append(":\n");
            yaml.Append("    path: ").Append(Quote(image.Path)).Append('\n');
            yaml.Append("    sha256: ").Append(image.Sha256 ?? UnknownSha256);
            yaml.Append(image.Sha256 is null ? "  # fill in: sha256sum " + image.Path.Replace('\n', ' ') + "\n" : "\n");
            if (image.Format == DiskFormat.Raw) yaml.Append("    format: raw\n");
        }
        yaml.Append("vms:\n  ").Append(vm.Name).Append(":\n");
        yaml.Append("    image: ").Append(Quote(vm.Image)).Append('\n');
        yaml.Append("    vcpu: ").Append(vm.Vcpu.ToString(CultureInfo.InvariantCulture)).Append('\n');
        yaml.Append("    memory: ").Append(vm.Memory).Append('\n');
        if (vm.Disk is { } disk) yaml.Append("    disk: ").Append(new ByteSize((disk.Bytes + ByteSize.MiB - 1) / ByteSize.MiB * ByteSize.MiB)).Append('\n');
        if (vm.Forwards.Count > 0)
            yaml.Append("    forwards: [").Append(string.Join(", ", vm.Forwards.Select(f => Quote(f.ToString())))).Append("]\n");
        if (vm.Vnc) yaml.Append("    display: vnc\n");
        if (vm.Shares.Count > 0)
        {
            yaml.Append("    shares:\n");
            foreach (var share in vm.Shares)
                yaml.Append("      ").Append(share.Tag).Append(": {source: ").Append(Quote(share.Source)).Append(share.ReadOnly ? ", readOnly: true}\n" : "}\n");
        }
        if (vm.Balloon) yaml.Append("    balloon: true\n");
        if (vm.Credentials.Count > 0)
        {
            yaml.Append("    credentials:\n");
            foreach (var (name, kind, value) in vm.Credentials.DistinctBy(c => c.Name))
                yaml.Append("      ").Append(name).Append(": {").Append(kind).Append(": ").Append(Quote(value)).Append("}\n");
        }
        return yaml.ToString();
    }

    /// <summary>A YAML double-quoted scalar (its escapes are JSON's), so no value can be read as another type or break the layout.</summary>
    internal static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\r': quoted.Append("\\r"); break;
                default:
                    if (char.IsControl(c)) quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
