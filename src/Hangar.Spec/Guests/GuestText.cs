using System.Security.Cryptography;
using System.Text;

namespace Hangar.Spec;

/// <summary>A VM's <c>guest</c> as one line for plans and diffs, and what a change of it does.</summary>
public static class GuestText
{
    /// <summary>What a changed <c>guest</c> does to a VM: nothing until it boots again.</summary>
    public const string ChangeEffect =
        "takes effect at the VM's next boot (cloud-init runs the new settings as a new instance); a running VM is not restarted";

    /// <summary>
    /// <c>hostname deb1; users ops (sudo, 1 key); packages curl; … (seed 1a2b3c4d)</c>, or <c>none</c>. The closing
    /// fingerprint covers every value, so a changed key, file or hash shows as a change although the summary reads alike;
    /// no secret (the password hash, a file's content) is written out.
    /// </summary>
    public static string Of(GuestSpec? guest)
    {
        if (guest is null) return "none";
        var parts = new List<string> { $"hostname {guest.Hostname}" };
        if (guest.Users.Count > 0)
            parts.Add("users " + string.Join(", ", guest.Users.Select(u =>
                $"{u.Name} ({(u.Sudo ? "sudo, " : "")}{u.SshAuthorizedKeys.Count} {(u.SshAuthorizedKeys.Count == 1 ? "key" : "keys")})")));
        if (guest.RootPasswordHash is not null) parts.Add("root password set");
        if (guest.Packages.Count > 0) parts.Add("packages " + string.Join(", ", guest.Packages));
        if (guest.WriteFiles.Count > 0) parts.Add("files " + string.Join(", ", guest.WriteFiles.Select(f => f.Path)));
        if (guest.Runcmd.Count > 0) parts.Add($"{guest.Runcmd.Count} {(guest.Runcmd.Count == 1 ? "command" : "commands")}");
        if (guest.Timezone is not null) parts.Add($"timezone {guest.Timezone}");
        return string.Join("; ", parts) + $" (seed {Fingerprint(guest)[..8]})";
    }

    /// <summary>A sha256 over every value of <paramref name="guest"/>, each length-prefixed so no two guests share one.</summary>
    public static string Fingerprint(GuestSpec guest)
    {
        var text = new StringBuilder();
        void Add(string? value) => text.Append(value is null ? "-1:" : $"{value.Length}:{value}");
        Add(guest.Hostname);
        Add(guest.Users.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var user in guest.Users)
        {
            Add(user.Name);
            Add(user.Sudo ? "sudo" : "");
            Add(user.SshAuthorizedKeys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var key in user.SshAuthorizedKeys) Add(key);
        }
        Add(guest.RootPasswordHash);
        Add(guest.Packages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var package in guest.Packages) Add(package);
        Add(guest.WriteFiles.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var file in guest.WriteFiles)
        {
            Add(file.Path);
            Add(file.Content);
            Add(file.Permissions);
        }
        Add(guest.Runcmd.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var command in guest.Runcmd) Add(command);
        Add(guest.Timezone);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
