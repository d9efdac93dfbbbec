using Hangar.Secrets.Age;

namespace Hangar.Agent.Secrets;

/// <summary>
/// This agent's own age identity: what secrets meant for its VMs are encrypted to. Made on the agent's first start in
/// <c>agent/identity.txt</c> (0600, never sent anywhere), its public half kept beside it in <c>agent/recipient.txt</c>
/// for the people who list the agent in a recipients file (<c>hangar secret set</c> on the same home does so itself).
/// </summary>
public sealed class AgentKey
{
    private AgentKey(X25519Identity identity) => Identity = identity;

    public X25519Identity Identity { get; }

    /// <summary>The recipient (<c>age1…</c>) to encrypt this agent's secrets to.</summary>
    public string Recipient => Identity.Recipient.Text;

    public static string IdentityPath(AgentOptions options) => Path.Combine(options.StateDirectory, "agent", "identity.txt");

    public static string RecipientPath(string stateDirectory) => Path.Combine(stateDirectory, "agent", "recipient.txt");

    /// <summary>Reads the agent's identity, making it the first time; rewrites the public file when it is missing or stale.</summary>
    /// <exception cref="AgeException">The identity file exists but is not an age identity.</exception>
    public static AgentKey LoadOrCreate(AgentOptions options)
    {
        var path = IdentityPath(options);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        X25519Identity identity;
        if (File.Exists(path))
        {
            identity = AgeIdentity.ParseFile(File.ReadAllText(path), path) is [X25519Identity one] ? one
                : throw new AgeException($"{path}: expected exactly one age X25519 identity");
        }
        else
        {
            identity = X25519Identity.Generate();
            var temporary = path + ".tmp";
            var create = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, create))
                writer.Write($"# the age identity of this Hangar agent: secrets for its VMs are encrypted to\n# {identity.Recipient.Text}\n{identity.SecretText}\n");
            File.Move(temporary, path); // never replaces one made meanwhile: a second agent on this state dir fails here
        }
        var recipientPath = RecipientPath(options.StateDirectory);
        var line = identity.Recipient.Text + "\n";
        if (!File.Exists(recipientPath) || File.ReadAllText(recipientPath) != line) File.WriteAllText(recipientPath, line);
        return new AgentKey(identity);
    }
}
