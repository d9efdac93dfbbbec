namespace Hangar.State.Tests;

public sealed class StateStoreLocationTests
{
    [Theory]
    [InlineData("sqlite:/var/lib/hangar/state.db", StateStoreEngine.Sqlite, "/var/lib/hangar/state.db")]
    [InlineData("sqlite:relative/state.db", StateStoreEngine.Sqlite, "relative/state.db")]
    [InlineData("postgres:Host=/tmp/pg;Database=hangar", StateStoreEngine.Postgres, "Host=/tmp/pg;Database=hangar")]
    [InlineData("postgresql:Host=db.internal;Port=5433;Database=hangar;Username=h;Password=p", StateStoreEngine.Postgres, "Host=db.internal;Port=5433;Database=hangar;Username=h;Password=p")]
    public void Parse_ValidForms_NameEngineAndTarget(string text, StateStoreEngine engine, string target)
    {
        Assert.Equal(new StateStoreLocation(engine, target), StateStoreLocation.Parse(text));
    }

    [Theory]
    [InlineData("/var/lib/hangar/state.db", "Store is not valid")]
    [InlineData("mysql:Server=x", "Store 'mysql:…' is not valid")]
    [InlineData("sqlite:", "Store 'sqlite:' needs a file path")]
    [InlineData("postgres:Database=hangar", "Store 'postgres:…' has no Host")]
    [InlineData("postgres:Host=/tmp;Bogus=1;Password=hunter2", "Store 'postgres:…' is not a valid connection string")]
    [InlineData("postgres:Host=/tmp;Port=hunter2", "Store 'postgres:…' is not a valid connection string")]
    public void Parse_Invalid_SaysWhatIsValidWithoutEchoingSecrets(string text, string start)
    {
        var error = Assert.Throws<FormatException>(() => StateStoreLocation.Parse(text));

        Assert.StartsWith(start, error.Message);
        Assert.EndsWith("use sqlite:PATH or postgres:CONNSTRING (e.g. postgres:Host=/run/postgresql;Database=hangar).", error.Message);
        Assert.DoesNotContain("hunter2", error.ToString());
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ToString_Password_IsMasked()
    {
        var location = StateStoreLocation.Parse("postgres:Host=db;Database=hangar;Username=h;Password=hunter2");

        Assert.Equal("postgres:Host=db;Database=hangar;Username=h;Password=***", location.ToString());
        Assert.Equal("sqlite:/x/state.db", StateStoreLocation.Sqlite("/x/state.db").ToString());
    }
}
