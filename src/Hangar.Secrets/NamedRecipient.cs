using Hangar.Secrets.Age;

namespace Hangar.Secrets;

/// <summary>A recipient of a recipients file, with its name and line.</summary>
public sealed record NamedRecipient(string Name, AgeRecipient Recipient, int Line);
