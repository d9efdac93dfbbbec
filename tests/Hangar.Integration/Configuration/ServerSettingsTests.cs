using Hangar.Server;
using Hangar.Server.Configuration;
using Hangar.State;

namespace Hangar.Integration.Configuration;

/// <summary>The server's settings: flags over environment over environment file over config file, and errors that name the file, line and key.</summary>
public sealed class ServerSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hconf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<ServerSettings> ResolveAsync(Dictionary<string, string>? flags, string? config, Dictionary<string, string>? env = null) =>
        ServerSettings.ResolveAsync(flags ?? [], config, name => env?.GetValueOrDefault(name), CancellationToken.None);

    [Fact]
    public async Task Resolve_SameKeyEverywhere_FlagsWinOverEnvironmentOverEnvFileOverConfigFile()
    {
        var envFile = Write("secrets.env", "HANGAR_LISTEN=envfile:1\nHANGAR_TLS_CERT=/envfile.crt\nHANGAR_TLS_KEY=/envfile.key\n");
        var config = Write("server.conf", $"# comment\nlisten = \"file:1\"\nenv-file = {envFile}\ntls-key = /file.key\ntls-cert = /file.crt\naccel = tcg\n");

        var fileOnly = await ResolveAsync(null, Write("only.conf", "listen = file:1\n"));
        var all = await ResolveAsync(new() { ["listen"] = "flag:1" }, config, new() { ["HANGAR_TLS_CERT"] = "/env.crt" });
        var noFlag = await ResolveAsync(null, config, new() { ["HANGAR_LISTEN"] = "env:1" });

        Assert.Equal("file:1", fileOnly.Listen);
        Assert.Equal(("flag:1", "/env.crt", "/envfile.key", Hangar.Agent.AcceleratorSetting.Tcg), (all.Listen, all.TlsCert, all.TlsKey, all.Accel));
        Assert.Equal("env:1", noFlag.Listen);
    }

    [Fact]
    public async Task Resolve_StorePasswordFromEnvFile_GoesIntoThePostgresConnectionString()
    {
        var envFile = Write("secrets.env", "HANGAR_STORE_PASSWORD='hunter2'\n");
        var config = Write("server.conf", $"store = postgres:Host=db;Username=hangar;Database=hangar\nenv-file = {envFile}\n");

        var settings = await ResolveAsync(null, config);

        Assert.Equal(StateStoreEngine.Postgres, settings.Store!.Engine);
        Assert.Contains("Password=hunter2", settings.Store.Target);
        Assert.DoesNotContain("hunter2", settings.Store.ToString());
    }

    [Theory]
    [InlineData("listen = 0.0.0.0:8443\nlisten-port = 1\n", ":2: 'listen-port' is not a server setting")]
    [InlineData("\ntls = maybe\n", ":2: tls: 'maybe' is not true or false")]
    [InlineData("store = mysql:x\n", ":1: store:")]
    [InlineData("just words\n", ":1: 'just words' is not a setting")]
    [InlineData("tls = true\ntls = false\n", ":2: 'tls' is set already on line 1")]
    public async Task Resolve_BadConfigFile_NamesTheFileLineAndKey(string text, string expected)
    {
        var config = Write("server.conf", text);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ResolveAsync(null, config));

        Assert.StartsWith(config, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Resolve_BadEnvironmentValue_NamesTheVariable()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ResolveAsync(null, null, new() { ["HANGAR_INSECURE_HTTP"] = "sure" }));

        Assert.StartsWith("HANGAR_INSECURE_HTTP: 'sure'", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:0", false, false, "http://127.0.0.1:0")]
    [InlineData("http://127.0.0.1:0", false, false, "http://127.0.0.1:0")]
    [InlineData("127.0.0.1:0", true, false, "https://127.0.0.1:0")]
    [InlineData("0.0.0.0:8443", false, false, "https://0.0.0.0:8443")]
    [InlineData("0.0.0.0:8443", false, true, "http://0.0.0.0:8443")]
    [InlineData("localhost:7600", false, false, "http://localhost:7600")]
    public void Decide_TlsBeyondLoopbackUnlessAskedForInsecure(string listen, bool tls, bool insecure, string url) =>
        Assert.Equal(url, ListenAddress.Decide(listen, tls, certificateGiven: false, insecure).Url);

    [Fact]
    public void Decide_PlainHttpSchemeBeyondLoopback_IsRefusedNamingTheFlag()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ListenAddress.Decide("http://0.0.0.0:8443", false, false, false));

        Assert.Contains("--insecure-http", error.Message);
    }
}
