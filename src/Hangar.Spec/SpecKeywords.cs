namespace Hangar.Spec;

/// <summary>How the fleet file spells each enum value; the parser, the schema and messages read these tables.</summary>
internal static class SpecKeywords
{
    public static readonly IReadOnlyList<(string Text, RestartPolicy Value)> Restart =
        [("always", RestartPolicy.Always), ("on-failure", RestartPolicy.OnFailure), ("never", RestartPolicy.Never)];

    public static readonly IReadOnlyList<(string Text, DiskFormat Value)> Format =
        [("qcow2", DiskFormat.Qcow2), ("raw", DiskFormat.Raw)];

    public static readonly IReadOnlyList<(string Text, PortProtocol Value)> Protocol =
        [("tcp", PortProtocol.Tcp), ("udp", PortProtocol.Udp)];

    public static readonly IReadOnlyList<(string Text, InterfaceType Value)> Interface =
        [("user", InterfaceType.User), ("bridge", InterfaceType.Bridge)];

    public static readonly IReadOnlyList<(string Text, OrphanPolicy Value)> Orphans =
        [("stop", OrphanPolicy.Stop), ("keep", OrphanPolicy.Keep)];

    public static string TextOf<T>(IReadOnlyList<(string Text, T Value)> table, T value) where T : struct, Enum =>
        table.First(entry => EqualityComparer<T>.Default.Equals(entry.Value, value)).Text;
}
