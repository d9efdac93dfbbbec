using System.Text.RegularExpressions;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Reads a VM's <c>guest</c> mapping: hostname, users, root's password hash, packages, files, commands, timezone.
/// Every field is optional; each error names its field's position.
/// </summary>
internal sealed class GuestReader(NodeReader reader)
{
    /// <summary>The longest file content or command, so that a seed stays small (cloud-init reads it into memory).</summary>
    private const int MaxTextLength = 256 * 1024;

    private ErrorCollector Errors => reader.Errors;

    /// <summary>The guest, or null when the value is not a mapping or one of its fields has an error.</summary>
    public GuestSpec? Read(string vmName, YamlNode node, string path)
    {
        if (reader.Mapping(node, path, "a guest (a mapping with hostname, users, packages, writeFiles, runcmd, timezone or rootPassword)") is not { } mapping)
            return null;
        var errorsBefore = Errors.Count;
        var fields = new FieldMapping(mapping, path, FleetFields.GuestFields, Errors);
        var hostname = vmName;
        if (fields.TryGet(FleetFields.Hostname, out var hostNode, out var hostPath)
            && Matching(hostNode, hostPath, "a hostname", SpecPatterns.NameRegex,
                "is not a hostname; use 1–63 lowercase letters, digits and '-', starting with a letter") is { } host)
            hostname = host;
        var users = new List<GuestUser>();
        if (fields.TryGet(FleetFields.Users, out var usersNode, out var usersPath))
            ReadUsers(usersNode, usersPath, users);
        string? rootPassword = null;
        if (fields.TryGet(FleetFields.RootPassword, out var passwordNode, out var passwordPath)
            && reader.String(passwordNode, passwordPath, "root's password hash") is { } password)
        {
            // Never echo what was written: it may be a real password.
            if (SpecPatterns.PasswordHashRegex.IsMatch(password)) rootPassword = password;
            else Errors.Add(passwordNode, passwordPath,
                "'rootPassword' takes a password hash, not a password (the fleet file and its generations are stored as written); " +
                "give the output of `mkpasswd -m sha-512` or `openssl passwd -6`, which starts with $6$");
        }
        var packages = new List<string>();
        if (fields.TryGet(FleetFields.Packages, out var packagesNode, out var packagesPath))
            ReadStrings(packagesNode, packagesPath, "a list of Debian package names", packages, (item, itemPath, text) =>
            {
                if (SpecPatterns.PackageNameRegex.IsMatch(text)) return true;
                Errors.Add(item, itemPath, $"'{text}' is not a Debian package name; use lowercase letters, digits, '+', '-' and '.' (optionally =VERSION)");
                return false;
            });
        var files = new List<GuestFile>();
        if (fields.TryGet(FleetFields.WriteFiles, out var filesNode, out var filesPath))
            ReadFiles(filesNode, filesPath, files);
        var commands = new List<string>();
        if (fields.TryGet(FleetFields.Runcmd, out var runNode, out var runPath))
            ReadStrings(runNode, runPath, "a list of shell commands", commands, (item, itemPath, text) => WithinLimit(item, itemPath, text, "A command"));
        string? timezone = null;
        if (fields.TryGet(FleetFields.Timezone, out var tzNode, out var tzPath))
            timezone = Matching(tzNode, tzPath, "a timezone such as Europe/Paris", SpecPatterns.TimezoneRegex,
                "is not a timezone name; use a tz database name such as UTC or Europe/Paris");
        if (Errors.Count != errorsBefore) return null;
        return new GuestSpec(hostname, new(users), rootPassword, new(packages), new(files), new(commands), timezone);
    }

    private void ReadUsers(YamlNode node, string path, List<GuestUser> users)
    {
        if (reader.Sequence(node, path, "a list of users, each a mapping with name, sshAuthorizedKeys and sudo") is not { } list) return;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = SpecPath.Item(path, i);
            if (reader.Mapping(list.Items[i], itemPath, "a user (a mapping with name, sshAuthorizedKeys and sudo)") is not { } mapping) continue;
            var fields = new FieldMapping(mapping, itemPath, FleetFields.GuestUserFields, Errors);
            string? name = null;
            if (fields.TryGetRequired(FleetFields.UserName, "the user's login name", Errors, out var nameNode, out var namePath))
            {
                name = Matching(nameNode, namePath, "a user name", SpecPatterns.UserNameRegex,
                    "is not a user name; use a lowercase letter or '_', then up to 31 lowercase letters, digits, '_' or '-'");
                if (name == "root")
                {
                    Errors.Add(nameNode, namePath, "'root' is already a user of every guest; give root's password with 'rootPassword', or name another user");
                    name = null;
                }
                else if (name is not null && seen.TryGetValue(name, out var first))
                {
                    Errors.Add(nameNode, namePath, $"User '{name}' is already listed at {first}");
                    name = null;
                }
                else if (name is not null) seen.Add(name, namePath);
            }
            var keys = new List<string>();
            if (fields.TryGet(FleetFields.SshAuthorizedKeys, out var keysNode, out var keysPath))
                ReadStrings(keysNode, keysPath, "a list of SSH public keys such as \"ssh-ed25519 AAAA… me@laptop\"", keys, (item, itemPath, text) =>
                {
                    if (SpecPatterns.SshPublicKeyRegex.IsMatch(text)) return true;
                    var hint = text.Contains("PRIVATE KEY", StringComparison.Ordinal)
                        ? "this is a private key: never put one in a fleet file; give the .pub file's line"
                        : "give one line of a .pub file (ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp*, then the key in base64, then a comment)";
                    Errors.Add(item, itemPath, $"Not an SSH public key; {hint}");
                    return false;
                });
            var sudo = false;
            if (fields.TryGet(FleetFields.Sudo, out var sudoNode, out var sudoPath) && reader.Bool(sudoNode, sudoPath) is { } s) sudo = s;
            if (name is not null) users.Add(new GuestUser(name, new(keys), sudo));
        }
    }

    private void ReadFiles(YamlNode node, string path, List<GuestFile> files)
    {
        if (reader.Sequence(node, path, "a list of files, each a mapping with path, content and permissions") is not { } list) return;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = SpecPath.Item(path, i);
            if (reader.Mapping(list.Items[i], itemPath, "a file (a mapping with path, content and permissions)") is not { } mapping) continue;
            var fields = new FieldMapping(mapping, itemPath, FleetFields.GuestFileFields, Errors);
            string? filePath = null, content = null, permissions = null;
            if (fields.TryGetRequired(FleetFields.FilePath, "the file's absolute path in the guest", Errors, out var pathNode, out var pathPath)
                && reader.String(pathNode, pathPath, "an absolute path") is { } text)
            {
                if (text.StartsWith('/') && !text.EndsWith('/') && !text.Contains('\n')) filePath = text;
                else Errors.Add(pathNode, pathPath, $"'{text}' is not an absolute path to a file; start it with '/'");
            }
            if (fields.TryGetRequired(FleetFields.Content, "the file's text (may be empty: \"\")", Errors, out var contentNode, out var contentPath))
            {
                // An empty file is valid: the reader's String refuses "", so take the scalar itself.
                if (contentNode is ScalarNode { IsNull: false } scalar)
                    content = WithinLimit(contentNode, contentPath, scalar.Value, "A file's content") ? scalar.Value : null;
                else Errors.Add(contentNode, contentPath, $"Expected the file's text, found {contentNode.Describe()}");
            }
            if (fields.TryGet(FleetFields.Permissions, out var modeNode, out var modePath))
                permissions = Matching(modeNode, modePath, "a file mode such as \"0644\"", SpecPatterns.PermissionsRegex,
                    "is not a file mode; write it in octal and quoted, like \"0644\"");
            if (filePath is not null && content is not null) files.Add(new GuestFile(filePath, content, permissions));
        }
    }

    private void ReadStrings(YamlNode node, string path, string what, List<string> into, Func<YamlNode, string, string, bool> valid)
    {
        if (reader.Sequence(node, path, what) is not { } list) return;
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = SpecPath.Item(path, i);
            if (reader.String(list.Items[i], itemPath) is { } text && valid(list.Items[i], itemPath, text)) into.Add(text);
        }
    }

    private string? Matching(YamlNode node, string path, string what, Regex pattern, string problem)
    {
        if (reader.String(node, path, what) is not { } text) return null;
        if (pattern.IsMatch(text)) return text;
        Errors.Add(node, path, $"'{text}' {problem}");
        return null;
    }

    private bool WithinLimit(YamlNode node, string path, string text, string what)
    {
        if (text.Length <= MaxTextLength) return true;
        Errors.Add(node, path, $"{what} of {text.Length} characters is too long; at most {MaxTextLength} fit in a guest's seed");
        return false;
    }
}
