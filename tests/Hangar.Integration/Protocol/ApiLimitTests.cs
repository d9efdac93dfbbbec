using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Hangar.ControlPlane;
using Hangar.Protocol;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Integration.Protocol;

/// <summary>
/// What a request can cost the control plane: the body is bounded before it is read, and the fleet file it carries
/// meets the same caps as on the command line.
/// </summary>
public sealed class ApiLimitTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hcp-").FullName;
    private ControlPlaneServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen,
            Path.Combine(_dir, "state.db"), "api-token"), null, CancellationToken.None);
        _http = new HttpClient { BaseAddress = _server.Url };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "api-token");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(HttpStatusCode Status, ApiError Error)> PostFleetAsync(string endpoint, string text)
    {
        using var response = await _http.PostAsJsonAsync(endpoint,
            new ApplyRequest("fleet.yaml", text, _dir, null, StartStopped: false), HangarJson.Options);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options))!);
    }

    [Theory]
    [InlineData("/api/v1/plan")]
    [InlineData("/api/v1/apply")]
    public async Task Post_BodyLargerThanLimit_Is413WithAnApiError(string endpoint)
    {
        var body = new string('x', (int)SpecLimits.MaxRequestBodyBytes + 1);
        // As curl does for large bodies: the server answers before the body is sent. Without it the server answers
        // all the same, but closes the connection while the client is still sending, and the client may see only that.
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { ExpectContinue = true },
        };

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options))!;
        Assert.Equal(ApiErrorCodes.TooLarge, error.Code);
        Assert.Equal($"The request body is larger than {SpecLimits.MaxRequestBodyBytes:N0} bytes, the most the API reads; " +
                     $"a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes.", error.Message);
    }

    [Fact]
    public async Task Plan_FleetFileLargerThanLimit_IsRejectedWithTheFileError()
    {
        var text = "vms: {}\n#" + new string('x', SpecLimits.MaxFileBytes);

        var (status, error) = await PostFleetAsync("/api/v1/plan", text);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(ApiErrorCodes.InvalidSpec, error.Code);
        var spec = Assert.Single(error.SpecErrors!);
        Assert.Equal($"fleet.yaml:1:1: The file has {text.Length:N0} bytes; a fleet file may have at most {SpecLimits.MaxFileBytes:N0} bytes (16MiB)", spec.ToString());
    }

    [Fact]
    public async Task Apply_AliasesThatMultiplyTheFile_AreRejectedWithOneErrorAndNothingApplied()
    {
        var text = new StringBuilder("vms: {a0: &m {image: tiny, forwards: &l [");
        text.AppendJoin(',', Enumerable.Repeat("1", 4000)).Append("]}");
        for (var i = 1; i < 5000; i++) text.Append($", a{i}: *m");
        text.Append("}\n");

        var (status, error) = await PostFleetAsync("/api/v1/apply", text.ToString());

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var spec = Assert.Single(error.SpecErrors!);
        Assert.StartsWith($"Aliases expand this file beyond {SpecLimits.MaxExpandedSize:N0} nodes and characters", spec.Message);
        Assert.Equal("[]", await _http.GetStringAsync("/api/v1/generations"));
    }
}
