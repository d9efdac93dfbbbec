namespace Hangar.Spec;

/// <summary>
/// What a VM's guest is told at boot (its <c>guest</c> mapping): Hangar writes it into a cloud-init NoCloud seed for
/// the VM, which an image with cloud-init (the built-in <c>debian-12</c>, a Debian cloud image) reads at every boot.
/// A change takes effect at the VM's next boot; it does not restart a running VM.
/// </summary>
/// <param name="Hostname">The guest's hostname; the VM's name when the file gives none.</param>
/// <param name="Users">Users to create, in file order; the first is the one <c>hangar ssh</c> logs in as.</param>
/// <param name="RootPasswordHash">root's password as a crypt(3) hash (<c>$6$…</c>, <c>$y$…</c>); null leaves root
/// without a password. A plain password is a plan error: the fleet file and its generations are stored in the clear.</param>
/// <param name="Packages">Debian packages cloud-init installs at first boot (the guest needs to reach a mirror).</param>
/// <param name="WriteFiles">Files written before the commands run.</param>
/// <param name="Runcmd">Shell commands run once, at the end of the first boot of an instance.</param>
/// <param name="Timezone">A tz database name such as <c>Europe/Paris</c>; null keeps the image's (UTC).</param>
public sealed record GuestSpec(
    string Hostname,
    ValueList<GuestUser> Users,
    string? RootPasswordHash,
    ValueList<string> Packages,
    ValueList<GuestFile> WriteFiles,
    ValueList<string> Runcmd,
    string? Timezone)
{
    /// <summary>What the guest is told when a VM of a cloud-init image has no <c>guest</c> mapping: its name, nothing else.</summary>
    public static GuestSpec Default(string vmName) =>
        new(vmName, ValueList<GuestUser>.Empty, null, ValueList<string>.Empty, ValueList<GuestFile>.Empty, ValueList<string>.Empty, null);
}
