using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Hangar.ControlPlane;
using Hangar.ControlPlane.Auth;
using Hangar.Protocol;
using Hangar.Protocol.Api;

namespace Hangar.Integration.Protocol;

/// <summary>
/// Roles on a real control plane over real HTTP on loopback: every endpoint the server maps has an access rule, and
/// each role gets 401, 403 or 200 where it should, a refused call changing nothing.
/// </summary>
public sealed class ApiRoleTests : IAsyncLifetime
{
    private const string HomeToken = "home-token";
    private readonly string _dir = Directory.CreateTempSubdirectory("hrole-").FullName;
    private ControlPlaneServer _server = null!;
    private string AdminTokenPath => Path.Combine(_dir, "admin-token");

    public async Task InitializeAsync() =>
        _server = await ControlPlaneServer.StartAsync(new ControlPlaneOptions(ControlPlaneOptions.DefaultListen, Path.Combine(_dir, "state.db"), HomeToken)
        {
            AdminTokenPath = AdminTokenPath,
        }, null, CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private HttpClient Client(string? token)
    {
        var http = new HttpClient { BaseAddress = _server.Url };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private async Task<string> TokenAsync(ApiRole role)
    {
        using var admin = Client(HomeToken);
        using var response = await admin.PostAsJsonAsync("/api/v1/api-tokens", new ApiTokenRequest(role, role.ToString()), HangarJson.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ApiTokenResponse>(HangarJson.Options))!.Token;
    }

    private static ApplyRequest Fleet() => new("fleet.yaml", "vms:\n  web:\n    image: tiny\n", "/tmp", null, StartStopped: true);

    [Fact]
    public void Endpoints_EveryOneTheServerMaps_HasAnAccessRule()
    {
        var endpoints = _server.Endpoints;
        var keys = endpoints.SelectMany(EndpointRoles.KeysOf).ToArray();

        Assert.Contains("POST /api/v1/apply", keys);
        Assert.Contains("* /agent/ws", keys);
        Assert.Contains("POST /api/v1/shutdown", keys);
        var missing = endpoints.Where(e => EndpointRoles.For(e) is null).SelectMany(EndpointRoles.KeysOf).ToArray();
        Assert.True(missing.Length == 0, $"Endpoints with no access rule in EndpointRoles.Table: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task FirstStart_WritesAnAdminTokenFilePrivateThatIsAdmin()
    {
        Assert.True(_server.AdminTokenWritten);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AdminTokenPath));
        using var admin = Client((await File.ReadAllTextAsync(AdminTokenPath)).Trim());

        var who = await admin.GetFromJsonAsync<AuthInfo>("/api/v1/auth", HangarJson.Options);

        Assert.Equal((ApiRole.Admin, "admin"), (who!.Role, who.Name));
    }

    [Theory]
    [InlineData("GET", "/api/v1/vms")]
    [InlineData("POST", "/api/v1/apply")]
    [InlineData("GET", "/api/v1/api-tokens")]
    public async Task NoOrUnknownToken_Is401(string method, string path)
    {
        using var none = Client(null);
        using var wrong = Client("hat_0123456789ab_" + new string('0', 64));

        using var a = await none.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(Fleet(), options: HangarJson.Options) });
        using var b = await wrong.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(Fleet(), options: HangarJson.Options) });

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (a.StatusCode, b.StatusCode));
    }

    [Fact]
    public async Task Viewer_ReadsButApplyIs403NamingOperatorAndCommitsNothing()
    {
        using var viewer = Client(await TokenAsync(ApiRole.Viewer));

        using var status = await viewer.GetAsync("/api/v1/vms");
        using var apply = await viewer.PostAsJsonAsync("/api/v1/apply", Fleet(), HangarJson.Options);
        var error = await apply.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options);
        using var admin = Client(HomeToken);
        var generations = await admin.GetFromJsonAsync("/api/v1/generations", HangarJson.Info<IReadOnlyList<GenerationInfo>>());

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, apply.StatusCode);
        Assert.Equal((ApiErrorCodes.Forbidden, "operator"), (error!.Code, error.Role));
        Assert.Contains("needs the operator role", error.Message);
        Assert.Empty(generations!);
    }

    [Fact]
    public async Task Operator_AppliesButMakingATokenIs403NamingAdminAndMakesNone()
    {
        using var @operator = Client(await TokenAsync(ApiRole.Operator));

        using var apply = await @operator.PostAsJsonAsync("/api/v1/apply", Fleet(), HangarJson.Options);
        using var create = await @operator.PostAsJsonAsync("/api/v1/api-tokens", new ApiTokenRequest(ApiRole.Admin), HangarJson.Options);
        using var join = await @operator.PostAsJsonAsync("/api/v1/tokens", new JoinTokenRequest(), HangarJson.Options);
        var error = await create.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options);
        using var admin = Client(HomeToken);
        var tokens = await admin.GetFromJsonAsync("/api/v1/api-tokens", HangarJson.Info<IReadOnlyList<ApiTokenInfo>>());

        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (create.StatusCode, join.StatusCode));
        Assert.Equal("admin", error!.Role);
        // The admin token of the first start and the operator's own: no third.
        Assert.Equal([ApiRole.Admin, ApiRole.Operator], tokens!.Select(t => t.Role));
    }

    [Fact]
    public async Task Exec_ViewerIs403NamingOperator_OperatorReachesTheVm()
    {
        using var viewer = Client(await TokenAsync(ApiRole.Viewer));
        using var @operator = Client(await TokenAsync(ApiRole.Operator));
        var request = new VmExecRequest(["/bin/true"]);

        using var refused = await viewer.PostAsJsonAsync("/api/v1/vms/web/exec", request, HangarJson.Options);
        var error = await refused.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options);
        using var allowed = await @operator.PostAsJsonAsync("/api/v1/vms/web/exec", request, HangarJson.Options);
        var notFound = await allowed.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options);

        Assert.Equal((HttpStatusCode.Forbidden, "operator"), (refused.StatusCode, error!.Role));
        // Past the role check: there is no VM web in this control plane's (empty) fleet.
        Assert.Equal((HttpStatusCode.NotFound, ApiErrorCodes.NotFound), (allowed.StatusCode, notFound!.Code));
    }

    [Fact]
    public async Task VmXml_Viewer_PassesTheRoleCheck()
    {
        using var viewer = Client(await TokenAsync(ApiRole.Viewer));
        using var admin = Client(HomeToken);
        (await admin.PostAsJsonAsync("/api/v1/apply", Fleet(), HangarJson.Options)).Dispose();

        using var response = await viewer.GetAsync("/api/v1/vms/web/xml");
        var error = await response.Content.ReadFromJsonAsync<ApiError>(HangarJson.Options);

        // Past the role check: this control plane has no agent, so VM web is on none and has no QEMU configuration.
        Assert.Equal((HttpStatusCode.Conflict, ApiErrorCodes.Conflict), (response.StatusCode, error!.Code));
        Assert.Contains("VM web is not placed on an agent yet", error.Message);
    }

    [Fact]
    public async Task Viewer_ConsoleWebSocket_Is403BeforeTheUpgrade()
    {
        var token = await TokenAsync(ApiRole.Viewer);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        socket.Options.CollectHttpResponseDetails = true;
        var url = new UriBuilder(new Uri(_server.Url, "/api/v1/vms/web/console")) { Scheme = "ws" }.Uri;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task RevokedToken_Is401AtOnce()
    {
        var token = await TokenAsync(ApiRole.Operator);
        using var revoked = Client(token);
        using (var before = await revoked.GetAsync("/api/v1/vms")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using var admin = Client(HomeToken);

        using (var revoke = await admin.DeleteAsync($"/api/v1/api-tokens/{token.Split('_')[1]}")) revoke.EnsureSuccessStatusCode();
        using var after = await revoked.GetAsync("/api/v1/vms");

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
