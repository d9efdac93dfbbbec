using Hangar.Testing;

namespace Hangar.State.Tests.Postgres;

/// <summary>One PostgreSQL server for every test class that needs one; each test makes its own database in it.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
