namespace Hangar.Qemu.Tests.TestSupport;

/// <summary>
/// Tests that count this process's open descriptors: they run after every other test of the assembly and alone, so
/// no other test's QEMU, pipe or socket is open, or closes, while they count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DescriptorCollection
{
    public const string Name = "descriptors";
}
