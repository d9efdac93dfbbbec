namespace Hangar.Agent.Secrets;

/// <summary>A VM's credential cannot be handed to it (a secret this agent cannot open, a missing file); the VM is not started.</summary>
public sealed class CredentialException : Exception
{
    public CredentialException(string message) : base(message) { }

    public CredentialException(string message, Exception inner) : base(message, inner) { }
}
