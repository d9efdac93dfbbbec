namespace Hangar.Client;

/// <summary>The server presented another certificate than the pinned one; nothing was sent to it. The message names both fingerprints.</summary>
public sealed class ServerPinMismatchException(string message, Exception inner) : IOException(message, inner);
