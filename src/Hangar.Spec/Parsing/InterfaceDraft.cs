namespace Hangar.Spec.Parsing;

/// <summary>One item of a VM's <c>interfaces</c> as read, where it was written, and the MAC it ends up with.</summary>
internal sealed class InterfaceDraft(InterfaceType type, YamlNode node, string path)
{
    public InterfaceType Type { get; } = type;
    public YamlNode Node { get; } = node;
    public string Path { get; } = path;
    public string? Bridge { get; init; }
    public string? Address { get; init; }

    /// <summary>The MAC the file gives, lowercase, where it was written; null for an automatic one.</summary>
    public Located<string>? ExplicitMac { get; init; }

    /// <summary>The MAC the interface gets: <see cref="ExplicitMac"/>, else assigned by <see cref="AutomaticIds"/>.</summary>
    public string? Mac { get; set; }

    public NetworkInterfaceSpec ToSpec() =>
        new(Type, Bridge, Mac ?? throw new InvalidOperationException("the interface has no MAC; the file had errors"), Address);
}
