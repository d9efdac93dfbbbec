namespace Hangar.Agent.Vms;

/// <summary>
/// What a VM's disk was made from, written next to it (<c>disk.json</c>) when it is created: <c>blank</c> for a blank
/// data disk, <c>sha256:…</c> for an overlay on a disk image. On start the agent compares it with the image the
/// desired spec names: a disk made from another image is kept aside and the VM gets a new one (zero drift: what runs
/// is what the generation says).
/// </summary>
/// <param name="Source">The disk's origin, as <see cref="VmLaunchPlan.DiskSource"/> says it.</param>
/// <param name="Generation">The generation that had the disk made.</param>
public sealed record DiskIdentity(string Source, long Generation)
{
    public const string Blank = "blank";

    public static string OverlayOn(string imageDigest) => "sha256:" + imageDigest;

    /// <summary>The identity written at <paramref name="path"/>, or null when there is none (or it cannot be read).</summary>
    public static DiskIdentity? TryRead(string path) => JsonStateFile.TryRead(path, AgentFilesJsonContext.Default.DiskIdentity);

    public void Write(string path) => JsonStateFile.Write(path, this, AgentFilesJsonContext.Default.DiskIdentity);
}
