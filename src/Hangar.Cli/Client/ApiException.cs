using Hangar.Protocol.Api;

namespace Hangar.Cli.Client;

/// <summary>The control plane answered with an error.</summary>
public sealed class ApiException(int status, ApiError error) : Exception(error.Message)
{
    public int Status { get; } = status;
    public ApiError Error { get; } = error;
}

/// <summary>No control plane answers for this Hangar home.</summary>
public sealed class NotRunningException(string home, Exception? inner = null)
    : Exception($"No Hangar is running for {home}; start one with 'hangar up FILE'.", inner)
{
    public string Home { get; } = home;
}
