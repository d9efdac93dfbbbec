namespace Hangar.State.Tests;

/// <summary>The words a generation status is stored as: every status has one, and each reads back as itself.</summary>
public sealed class GenerationStatusTextTests
{
    [Fact]
    public void ToText_EveryStatus_ParsesBackToItself()
    {
        var statuses = Enum.GetValues<GenerationStatus>();

        Assert.All(statuses, status => Assert.Equal(status, GenerationStatusText.Parse(status.ToText())));
        Assert.Equal(statuses.Length, statuses.Select(s => s.ToText()).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Parse_UnknownWord_IsInvalidDataNamingTheWord()
    {
        var error = Assert.Throws<InvalidDataException>(() => GenerationStatusText.Parse("pending"));

        Assert.Equal("Unknown generation status 'pending' in the database", error.Message);
    }
}
