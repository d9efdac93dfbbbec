namespace Hangar.Integration.Support;

/// <summary>
/// Tests that boot real QEMU guests run one after another: the machine has two cores, and TCG guests booting in
/// parallel would only make each test slower and less predictable.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    public const string Name = "real-qemu";
}
