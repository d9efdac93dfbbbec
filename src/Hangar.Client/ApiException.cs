using Hangar.Protocol.Api;

namespace Hangar.Client;

/// <summary>The control plane answered with an error.</summary>
public sealed class ApiException(int status, ApiError error) : Exception(error.Message)
{
    public int Status { get; } = status;
    public ApiError Error { get; } = error;
}
