using System.Text;
using Hangar.Secrets.Age;

namespace Hangar.Secrets;

/// <summary>
/// Who may read secrets: a recipients file as <c>age -R</c> reads it (one recipient per line, <c>#</c> comments),
/// so <c>age -R secrets/recipients.txt</c> encrypts exactly as Hangar does. The comment line just above a recipient
/// names it (<c># ops laptop</c>, <c># agent h1</c>); a recipient without one is named by its SSH comment or its key.
/// </summary>
public sealed class RecipientsFile
{
    private RecipientsFile(string path, IReadOnlyList<NamedRecipient> entries)
    {
        Path = path;
        Entries = entries;
    }

    /// <summary>Where it was read from.</summary>
    public string Path { get; }

    public IReadOnlyList<NamedRecipient> Entries { get; }

    public IReadOnlyList<AgeRecipient> Recipients => Entries.Select(e => e.Recipient).ToList();

    /// <summary>Reads <paramref name="text"/>; an error names <paramref name="path"/> and the line.</summary>
    public static RecipientsFile Parse(string text, string path)
    {
        var entries = new List<NamedRecipient>();
        string? comment = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) { comment = null; continue; }
            if (line.StartsWith('#'))
            {
                comment = line.TrimStart('#').Trim();
                continue;
            }
            AgeRecipient recipient;
            try { recipient = AgeRecipient.Parse(line); }
            catch (AgeException e) { throw new AgeException($"{path}:{i + 1}: {e.Message}", e); }
            var sshComment = line.StartsWith("ssh-", StringComparison.Ordinal) ? string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2)) : "";
            var name = !string.IsNullOrEmpty(comment) ? comment : sshComment.Length > 0 ? sshComment : AgeRecipient.Shorten(recipient.Text);
            if (entries.Any(e => e.Recipient.Text == recipient.Text))
                throw new AgeException($"{path}:{i + 1}: this recipient is already listed above");
            entries.Add(new NamedRecipient(name, recipient, i + 1));
            comment = null;
        }
        if (entries.Count == 0) throw new AgeException($"{path}: lists no recipient, so nobody could read a secret");
        return new RecipientsFile(path, entries);
    }

    /// <summary>The text of a recipients file listing <paramref name="entries"/>, each under its name.</summary>
    public static string Format(IEnumerable<(string Name, AgeRecipient Recipient)> entries)
    {
        var text = new StringBuilder()
            .Append("# Who may read the secrets in this directory (an age recipients file: age -R reads it too).\n")
            .Append("# The comment above a key names it. After a change, run: hangar secret rekey\n");
        foreach (var (name, recipient) in entries) text.Append('\n').Append("# ").Append(name).Append('\n').Append(recipient.Text).Append('\n');
        return text.ToString();
    }
}
