using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Hangar.ControlPlane;
using Hangar.Protocol;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Spec;

namespace Hangar.Integration.Protocol;

/// <summary>The image store's endpoints on a real control plane over loopback HTTP.</summary>
public sealed class ImageEndpointTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hcp-").FullName;
    private ControlPlaneServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen,
            Path.Combine(_dir, "state.db"), "api-token") { ImagesDirectory = Path.Combine(_dir, "blobs") }, null, CancellationToken.None);
        _http = new HttpClient { BaseAddress = _server.Url };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private Task<HttpResponseMessage> PutAsync(string digest, byte[] body, string? token = "api-token")
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/images/sha256/{digest}") { Content = new ByteArrayContent(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _http.SendAsync(request);
    }

    [Fact]
    public async Task Put_LargerThanTheApiBodyLimit_IsStoredAndDescribed()
    {
        var body = RandomNumberGenerator.GetBytes(checked((int)SpecLimits.MaxRequestBodyBytes + 4096));

        using var response = await PutAsync(Sha(body), body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var info = await response.Content.ReadFromJsonAsync<ImageInfo>(HangarJson.Options);
        Assert.Equal((Sha(body), (long?)body.Length, true), (info!.Sha256, info.SizeBytes, info.Stored));
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Combine(_dir, "blobs", Sha(body))));
    }

    [Fact]
    public async Task Put_BytesOfAnotherDigest_Is422AndKeepsNothing()
    {
        var body = RandomNumberGenerator.GetBytes(5000);
        var claimed = new string('a', 64);

        using var response = await PutAsync(claimed, body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options);
        Assert.Equal(ApiErrorCodes.ImageMismatch, error!.Code);
        Assert.Contains(Sha(body), error.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "blobs")));
    }

    [Fact]
    public async Task Put_WithoutTheApiToken_Is401AndKeepsNothing()
    {
        var body = RandomNumberGenerator.GetBytes(100);

        using var response = await PutAsync(Sha(body), body, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_dir, "blobs")) && Directory.GetFiles(Path.Combine(_dir, "blobs")).Length > 0);
    }

    [Fact]
    public async Task AgentGet_WithoutACredential_Is401_AndForAnImageNoneOfItsVmsUses_Is403()
    {
        var body = RandomNumberGenerator.GetBytes(100);
        (await PutAsync(Sha(body), body)).Dispose();
        var path = $"{AgentProtocol.ImagesPath}/{Sha(body)}";

        using (var anonymous = await _http.GetAsync(path))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var credential = await _server.IssueLocalAgentCredentialAsync("a1", CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("a1", await response.Content.ReadAsStringAsync());
        // The API token is not an agent's credential.
        using var withApiToken = new HttpRequestMessage(HttpMethod.Get, path);
        withApiToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "api-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(withApiToken)).StatusCode);
    }

    [Fact]
    public async Task Get_NotADigest_Is400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/images/sha256/not-a-digest");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "api-token");
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.SendAsync(request)).StatusCode);
    }
}
