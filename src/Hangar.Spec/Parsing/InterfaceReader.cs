using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Reads a VM's <c>interfaces</c> (<c>[{type: user}, {type: bridge, bridge: br0, mac: …, address: 10.0.0.2/24}]</c>)
/// and its <c>vsock</c> (<c>true</c>, <c>false</c> or a context id).
/// </summary>
internal sealed class InterfaceReader(NodeReader reader)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The <c>address</c> that asks the guest to use DHCP on the interface.</summary>
    public const string DhcpAddress = NetworkInterfaceSpec.Dhcp;

    /// <summary>The interfaces in file order; null when any item has an error.</summary>
    public List<InterfaceDraft>? Read(YamlNode node, string path)
    {
        if (reader.Sequence(node, path, "a list of network interfaces such as [{type: user}, {type: bridge, bridge: br0}]") is not { } list) return null;
        var before = Errors.Count;
        var interfaces = new List<InterfaceDraft>();
        for (var i = 0; i < list.Items.Count; i++)
        {
            if (ReadOne(list.Items[i], SpecPath.Item(path, i)) is { } read) interfaces.Add(read);
        }
        if (list.Items.Count > SpecLimits.MaxInterfaces)
            Errors.Add(node, path, $"{list.Items.Count} interfaces; a VM may have at most {SpecLimits.MaxInterfaces}");
        if (interfaces.Where(i => i.Type == InterfaceType.User).Skip(1).FirstOrDefault() is { } second)
            Errors.Add(second.Node, second.Path, "A second user-mode interface; a VM has at most one (its forwards go to it)");
        return Errors.Count == before ? interfaces : null;
    }

    private InterfaceDraft? ReadOne(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, "an interface: {type: user} or {type: bridge, bridge: NAME}") is not { } mapping) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.InterfaceFields, Errors);
        if (!fields.TryGetRequired(FleetFields.InterfaceType, "'user' or 'bridge'", Errors, out var typeNode, out var typePath)
            || reader.Keyword(typeNode, typePath, SpecKeywords.Interface) is not { } type) return null;

        string? bridge = null;
        if (type == InterfaceType.Bridge)
        {
            if (fields.TryGetRequired(FleetFields.Bridge, "the name of a Linux bridge on the VM's host, such as br0", Errors, out var bridgeNode, out var bridgePath)
                && reader.String(bridgeNode, bridgePath, "a bridge's name") is { } name)
            {
                if (SpecPatterns.BridgeNameRegex.IsMatch(name)) bridge = name;
                else Errors.Add(bridgeNode, bridgePath, $"'{name}' is not a network interface name; use 1–15 letters, digits, '.', '_' and '-', not starting with '.' or '-'");
            }
        }
        else if (fields.TryGet(FleetFields.Bridge, out var bridgeNode, out var bridgePath))
            Errors.Add(bridgeNode, bridgePath, "'bridge' belongs to an interface of type 'bridge'; a user-mode interface has no bridge");

        Located<string>? mac = null;
        if (fields.TryGet(FleetFields.Mac, out var macNode, out var macPath) && reader.String(macNode, macPath, "a MAC address such as 52:54:00:12:34:56") is { } text)
        {
            if (MacError(text) is { } error) Errors.Add(macNode, macPath, error);
            else mac = new(text.ToLowerInvariant(), macNode, macPath);
        }

        string? address = null;
        if (fields.TryGet(FleetFields.Address, out var addressNode, out var addressPath)
            && reader.String(addressNode, addressPath, "an address with its prefix length, such as 10.0.0.2/24, or dhcp") is { } cidr)
        {
            if (type == InterfaceType.User)
                Errors.Add(addressNode, addressPath, "A user-mode interface gets its address from QEMU's DHCP (10.0.2.15); 'address' is for bridge interfaces");
            else if (cidr != DhcpAddress && CidrError(cidr) is { } error) Errors.Add(addressNode, addressPath, error);
            else address = cidr;
        }
        return new InterfaceDraft(type, node, path) { Bridge = bridge, ExplicitMac = mac, Address = address };
    }

    /// <summary><c>vsock: true</c> (an automatic context id), <c>false</c>, or a context id.</summary>
    /// <returns>The field as read: (true, null) for automatic, (true, CID) for a given one, (false, null) for none; null on an error.</returns>
    public (bool Wanted, long? Cid)? ReadVsock(YamlNode node, string path)
    {
        if (node is ScalarNode { IsNull: false } scalar && long.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var cid))
        {
            if (cid is >= SpecLimits.MinVsockCid and <= SpecLimits.MaxVsockCid) return (true, cid);
            Errors.Add(node, path, $"{cid} is not a guest context id; use {SpecLimits.MinVsockCid} to {SpecLimits.MaxVsockCid} (0–2 are the hypervisor's, reserved and the host's), or true for one Hangar picks");
            return null;
        }
        if (node is ScalarNode { IsNull: false } word && word.Value is "true" or "false") return (word.Value == "true", null);
        Errors.Add(node, path, $"Expected true (a context id Hangar picks), false, or a context id from {SpecLimits.MinVsockCid} to {SpecLimits.MaxVsockCid}, found {node.Describe()}");
        return null;
    }

    /// <summary>Why <paramref name="text"/> is no MAC a NIC can have; null when it is one.</summary>
    internal static string? MacError(string text)
    {
        if (!SpecPatterns.MacRegex.IsMatch(text)) return $"'{text}' is not a MAC address; write six pairs of hex digits separated by ':', such as 52:54:00:12:34:56";
        var first = Convert.ToByte(text[..2], 16);
        if ((first & 1) != 0) return $"'{text}' is a multicast address (the lowest bit of its first byte is set); a NIC needs a unicast one, such as 52:54:00:…";
        if (text.Replace(":", "", StringComparison.Ordinal).All(c => c == '0')) return $"'{text}' is the all-zero address, which no NIC may have";
        return null;
    }

    private static string? CidrError(string text)
    {
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip) || text[..slash].Contains('%')
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            return $"'{text}' is not an address with its prefix length; write one such as 10.0.0.2/24 or fd00::2/64, or dhcp";
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix is < 1 || prefix > max) return $"'{text}': the prefix length must be 1 to {max}";
        // An IPv4 literal such as "10.1" parses; only the dotted quad is accepted, as the guest's tools want it.
        if (ip.AddressFamily == AddressFamily.InterNetwork && text[..slash].Count(c => c == '.') != 3)
            return $"'{text}' is not an address with its prefix length; write the address as four numbers, such as 10.0.0.2/24";
        return null;
    }
}
