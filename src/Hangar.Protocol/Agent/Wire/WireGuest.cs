namespace Hangar.Protocol.Agent.Wire;

/// <summary>A VM's <c>guest</c> as the agent protocol carries it (since version 4): what its cloud-init seed says.</summary>
/// <param name="Hostname">The guest's hostname.</param>
/// <param name="Users">Users to create, in order.</param>
/// <param name="RootPasswordHash">root's password as a crypt(3) hash; null for none.</param>
/// <param name="Packages">Debian packages to install at first boot.</param>
/// <param name="WriteFiles">Files to write at first boot.</param>
/// <param name="Runcmd">Shell commands run at the end of the first boot.</param>
/// <param name="Timezone">A tz database name; null keeps the image's.</param>
public sealed record WireGuest(
    string Hostname,
    IReadOnlyList<WireGuestUser> Users,
    string? RootPasswordHash,
    IReadOnlyList<string> Packages,
    IReadOnlyList<WireGuestFile> WriteFiles,
    IReadOnlyList<string> Runcmd,
    string? Timezone);
