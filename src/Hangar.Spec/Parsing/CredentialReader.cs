using System.Text;

namespace Hangar.Spec.Parsing;

/// <summary>
/// Reads a VM's <c>credentials</c> mapping: each name to one of <c>{secret: S}</c>, <c>{value: V}</c> and
/// <c>{file: P}</c>. A secret is looked up in the <see cref="SecretSource"/> (its ciphertext is attached), or left
/// unresolved when there is none. Each error names its field's position.
/// </summary>
internal sealed class CredentialReader(NodeReader reader, SecretSource? secrets)
{
    private ErrorCollector Errors => reader.Errors;

    /// <summary>The credentials sorted by name, or null when the value is not a mapping or an entry has an error.</summary>
    public ValueList<CredentialSpec>? Read(YamlNode node, string path)
    {
        if (reader.Mapping(node, path, "a mapping of credential names to {secret: NAME}, {value: TEXT} or {file: /PATH}") is not { } mapping)
            return null;
        var errorsBefore = Errors.Count;
        var credentials = new List<CredentialSpec>();
        foreach (var (name, keyNode, value) in KeyedEntries.Read(mapping, path, Errors))
        {
            var entryPath = SpecPath.Field(path, name);
            var validName = SpecPatterns.CredentialNameRegex.IsMatch(name);
            if (!validName)
                Errors.Add(keyNode, entryPath, name.Length > SpecLimits.MaxCredentialName && SpecPatterns.CredentialNameRegex.IsMatch(name[..SpecLimits.MaxCredentialName])
                    ? $"'{name}' has {name.Length} characters; a credential's name may have at most {SpecLimits.MaxCredentialName} (QEMU's fw_cfg names hold 55, and opt/io.systemd.credentials/ takes 27)"
                    : $"'{name}' is not a credential name; use 1–{SpecLimits.MaxCredentialName} letters, digits, '.', '_' and '-', not starting with '.' or '-'");
            if (validName && name.StartsWith(VmIdentity.ReservedPrefix, StringComparison.Ordinal))
            {
                Errors.Add(keyNode, entryPath, $"'{name}': credential names starting with '{VmIdentity.ReservedPrefix}' are Hangar's own (the VM's host key is {VmIdentity.CredentialName})");
                validName = false;
            }
            if (ReadOne(name, value, entryPath) is { } credential && validName) credentials.Add(credential);
        }
        if (credentials.Count > SpecLimits.MaxCredentials)
            Errors.Add(mapping, path, $"{credentials.Count} credentials; a VM may have at most {SpecLimits.MaxCredentials}");
        else if (credentials.Count(c => c.UsesFwCfg) is var files and > SpecLimits.MaxFwCfgCredentials)
            Errors.Add(mapping, path, $"{files} secret and file credentials; a VM may have at most {SpecLimits.MaxFwCfgCredentials} (QEMU has few fw_cfg slots); " +
                "deliver small non-secret ones as values, or bundle several into one file");
        if (Errors.Count != errorsBefore) return null;
        return new ValueList<CredentialSpec>(credentials.OrderBy(c => c.Name, StringComparer.Ordinal));
    }

    private CredentialSpec? ReadOne(string name, YamlNode node, string path)
    {
        const string Expected = "{secret: NAME} (secrets/NAME.age beside the fleet file), {value: TEXT} or {file: /PATH} (a file on the VM's host)";
        if (reader.Mapping(node, path, Expected) is not { } mapping) return null;
        var fields = new FieldMapping(mapping, path, FleetFields.CredentialFields, Errors);
        var hasSecret = fields.TryGet(FleetFields.Secret, out var secretNode, out var secretPath);
        var hasValue = fields.TryGet(FleetFields.Value, out var valueNode, out var valuePath);
        var hasFile = fields.TryGet(FleetFields.File, out var fileNode, out var filePath);
        var inGuest = false;
        if (fields.TryGet(FleetFields.Decrypt, out var decryptNode, out var decryptPath))
        {
            switch (reader.String(decryptNode, decryptPath, "'agent' or 'guest'"))
            {
                case null:
                    return null;
                case "agent":
                    break;
                case "guest":
                    inGuest = true;
                    break;
                case var other:
                    Errors.Add(decryptNode, decryptPath, $"'{other}' is not who decrypts a secret; use 'agent' (the VM's agent, the default) or 'guest' (the guest, with its own host key)");
                    return null;
            }
            if (!hasSecret)
            {
                Errors.Add(decryptNode, decryptPath, $"'decrypt' goes with a secret; credential '{name}' has none");
                return null;
            }
        }
        if ((hasSecret ? 1 : 0) + (hasValue ? 1 : 0) + (hasFile ? 1 : 0) != 1)
        {
            // A mapping of unknown fields only was reported field by field ("did you mean 'value'?").
            if (!hasSecret && !hasValue && !hasFile && mapping.Entries.Count > 0) return null;
            Errors.Add(mapping, path, hasSecret || hasValue || hasFile
                ? $"Give only one of 'secret', 'value' and 'file' for credential '{name}'"
                : $"Give one of 'secret', 'value' and 'file' for credential '{name}': {Expected}");
            return null;
        }
        if (hasSecret) return Secret(name, secretNode, secretPath) is { } secret ? secret with { DecryptInGuest = inGuest } : null;
        if (hasValue) return Value(name, valueNode, valuePath);
        return File(name, fileNode, filePath);
    }

    private CredentialSpec? Secret(string name, YamlNode node, string path)
    {
        if (reader.String(node, path, "a secret's name (secrets/NAME.age beside the fleet file)") is not { } secret) return null;
        if (!SpecPatterns.SecretNameRegex.IsMatch(secret))
        {
            Errors.Add(node, path, $"'{secret}' is not a secret name; use 1–63 lowercase letters, digits, '.', '_' and '-', starting with a letter or digit");
            return null;
        }
        if (secrets is null) return new CredentialSpec(name, CredentialKind.Secret, secret);
        var found = secrets.Find(secret);
        if (found.Ciphertext is null)
        {
            Errors.Add(node, path, $"Secret '{secret}': {found.Error}");
            return null;
        }
        return new CredentialSpec(name, CredentialKind.Secret, secret) { Ciphertext = found.Ciphertext };
    }

    private CredentialSpec? Value(string name, YamlNode node, string path)
    {
        // Any scalar is text here (a port, true): the guest reads bytes.
        if (node is not ScalarNode { IsNull: false } scalar)
        {
            Errors.Add(node, path, $"Expected the credential's text, found {node.Describe()}");
            return null;
        }
        var bytes = Encoding.UTF8.GetByteCount(scalar.Value);
        if (bytes > SpecLimits.MaxCredentialValueBytes)
        {
            Errors.Add(node, path, $"A value credential has {bytes:N0} bytes; at most {SpecLimits.MaxCredentialValueBytes:N0} travel as an SMBIOS string. " +
                "Put larger content in a secret or a file");
            return null;
        }
        if (scalar.Value.Contains('\0'))
        {
            Errors.Add(node, path, "A value credential cannot hold a NUL character (SMBIOS strings end at one)");
            return null;
        }
        return new CredentialSpec(name, CredentialKind.Value, scalar.Value);
    }

    private CredentialSpec? File(string name, YamlNode node, string path)
    {
        if (reader.String(node, path, "an absolute path on the VM's host") is not { } file) return null;
        if (!file.StartsWith('/') || file.Contains('\0') || file.Split('/').Any(part => part is "." or ".."))
        {
            Errors.Add(node, path, $"'{file}' is not an absolute path; a file credential names a file on the VM's host (its agent reads it at each start), such as /etc/ssl/certs/ca.pem");
            return null;
        }
        return new CredentialSpec(name, CredentialKind.File, file);
    }
}
