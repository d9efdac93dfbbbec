using System.Text.RegularExpressions;

namespace Hangar.ControlPlane.Agents;

/// <summary>Rules for agent names and labels (<c>key=value</c>): short words, so selectors and listings stay readable.</summary>
public static partial class AgentLabels
{
    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62}[A-Za-z0-9])?$")]
    private static partial Regex Key();

    [GeneratedRegex("^[A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Value();

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")]
    private static partial Regex AgentName();

    /// <summary>An agent's name: a host name in lower case (letters, digits, '-' and '.'; 1–63 characters).</summary>
    public static bool IsAgentName(string name) => AgentName().IsMatch(name);

    /// <summary>Throws <see cref="AgentRequestException"/> naming the first label that breaks the rules and what would be valid.</summary>
    public static void Check(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (!Key().IsMatch(key))
                throw new AgentRequestException(AgentRequestError.Invalid, $"labels: key '{key}' is not valid; use 1–64 letters, digits, '.', '_', '-' or '/', starting and ending with a letter or digit.");
            if (!Value().IsMatch(value))
                throw new AgentRequestException(AgentRequestError.Invalid, $"labels.{key}: value '{value}' is not valid; use up to 63 letters, digits, '.', '_' or '-'.");
        }
    }
}
