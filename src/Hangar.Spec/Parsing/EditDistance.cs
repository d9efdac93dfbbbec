namespace Hangar.Spec.Parsing;

/// <summary>Optimal-string-alignment distance, to suggest the field or name a user probably meant.</summary>
internal static class EditDistance
{
    public const int SuggestionLimit = 2;

    public static int Between(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        for (var j = 1; j <= b.Length; j++)
        {
            var cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }

    /// <summary>The candidate closest to <paramref name="text"/> within <see cref="SuggestionLimit"/>, if any.</summary>
    /// <remarks>
    /// Candidates whose length differs by more than the limit are skipped before the quadratic comparison: the
    /// distance is at least the difference in length, and a long mistaken value must not cost length × length.
    /// </remarks>
    public static string? Closest(string text, IEnumerable<string> candidates) =>
        candidates
            .Where(c => Math.Abs(c.Length - text.Length) <= SuggestionLimit)
            .Select(c => (Candidate: c, Distance: Between(text.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(x => x.Distance <= SuggestionLimit)
            .OrderBy(x => x.Distance)
            .Select(x => x.Candidate)
            .FirstOrDefault();
}
