using System.Text.RegularExpressions;
using Hangar.Agent.Connection;
using Hangar.Integration.Support;
using Hangar.Processes;
using Hangar.Testing;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// The real thing over TLS: a real <c>hangar server --tls</c> on loopback (port 0, as reported in daemon.json) with a
/// certificate it made, a real <c>hangar agent</c> joining over HTTPS/WSS with the right pin and refused with a wrong
/// one (its join token not consumed), and the real <c>hangar</c> CLI talking to it with --server, HANGAR_TOKEN and
/// <c>hangar login</c>, roles enforced.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class TlsPinningTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private static readonly string WrongPin = "sha256:" + new string('0', 64);
    private readonly HangarHome _serverHome = new();
    private readonly List<HangarHome> _homes = [];
    private readonly List<DaemonProcess> _daemons = [];
    private readonly string _config = Directory.CreateTempSubdirectory("hangar-login-").FullName;
    private DaemonProcess _server = null!;
    private string _url = null!;
    private string _fingerprint = null!;

    public async Task InitializeAsync()
    {
        _server = Daemon(_serverHome.Path, "server", "--no-agent", "--tls", "--listen", "127.0.0.1:0");
        var info = await Eventually.WaitAsync(() => Task.FromResult(DaemonInfo.TryRead(_serverHome.Path)), i => i is not null, Timeout,
            $"the server to write daemon.json\n{_server}");
        (_url, _fingerprint) = (info!.Url, info.Fingerprint!);
    }

    public async Task DisposeAsync()
    {
        foreach (var daemon in _daemons) await daemon.DisposeAsync();
        File.Delete(DaemonInfo.PathFor(_serverHome.Path));
        foreach (var home in _homes) await home.DisposeAsync();
        await _serverHome.DisposeAsync();
        Directory.Delete(_config, recursive: true);
    }

    private DaemonProcess Daemon(string home, params string[] args)
    {
        var daemon = DaemonProcess.Start(home, args);
        _daemons.Add(daemon);
        return daemon;
    }

    private HangarHome NewHome()
    {
        var home = new HangarHome();
        _homes.Add(home);
        return home;
    }

    /// <summary>The real CLI in a home with no server of its own, with extra environment.</summary>
    private async Task<CliResult> CliAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var home = NewHome();
        var (fileName, prefix) = HangarCommand.Client;
        var env = new Dictionary<string, string>(environment) { ["HANGAR_HOME"] = home.Path, ["XDG_CONFIG_HOME"] = _config };
        using var cts = new CancellationTokenSource(Timeout);
        var result = await ProcessRunner.Instance.RunAsync(fileName, [.. prefix, .. args], home.Path, env, cts.Token);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    private async Task<string> JoinTokenAsync()
    {
        var made = await _serverHome.OkAsync("token", "create");
        Assert.Contains($"--server-fingerprint {_fingerprint}", made.Stderr);
        return made.Stdout.Trim();
    }

    [Fact]
    public void Server_TlsOnLoopback_ServesHttpsAndPrintsTheFingerprintOfItsKeyFile()
    {
        Assert.StartsWith("https://127.0.0.1:", _url);
        Assert.Matches(FingerprintPattern(), _fingerprint);
        Assert.Contains($"TLS certificate fingerprint: {_fingerprint}", _server.Output);
        var key = Path.Combine(_serverHome.Path, "control-plane", "tls", "server.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    [Fact]
    public async Task Agent_WrongPin_IsRefusedNamingBothWithoutUsingTheTokenThenJoinsWithTheRightOne()
    {
        var token = await JoinTokenAsync();
        var wrongHome = NewHome();

        var refused = Daemon(wrongHome.Path, "agent", "--server", _url, "--join-token", token, "--server-fingerprint", WrongPin, "--name", "pinned");
        var exit = await refused.WaitForExitAsync(Timeout);

        Assert.Equal(1, exit);
        Assert.Contains(WrongPin, refused.Output);
        Assert.Contains(_fingerprint, refused.Output);
        Assert.False(File.Exists(AgentCredential.PathFor(wrongHome.Path)));

        // The same one-use token still works: the refused agent never sent it.
        var home = NewHome();
        var agent = Daemon(home.Path, "agent", "--server", _url, "--join-token", token, "--server-fingerprint", _fingerprint, "--name", "pinned");
        await Eventually.WaitAsync(_serverHome.StatusAsync, s => s.Agents.Any(a => a.Name == "pinned" && a.Connected), Timeout,
            $"the agent to connect over WSS\n{agent}\n{_server}");
        var credential = AgentCredential.TryRead(home.Path)!;
        Assert.Equal(_fingerprint, credential.ServerFingerprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AgentCredential.PathFor(home.Path)));
    }

    [Fact]
    public async Task RemoteCli_ViewerToken_ListsButCannotMakeTokens_WrongPinIsRefused()
    {
        var viewer = (await _serverHome.OkAsync("api-token", "create", "--role", "viewer", "--name", "ci")).Stdout.Trim();
        var env = new Dictionary<string, string> { ["HANGAR_SERVER"] = _url, ["HANGAR_TOKEN"] = viewer, ["HANGAR_SERVER_FINGERPRINT"] = _fingerprint };

        var list = await CliAsync(env, "agent", "list");
        var create = await CliAsync(env, "api-token", "create", "--role", "viewer");
        var flag = await CliAsync(new Dictionary<string, string> { ["HANGAR_TOKEN"] = viewer, ["HANGAR_SERVER_FINGERPRINT"] = _fingerprint }, "--server", _url, "status");
        var wrong = await CliAsync(new Dictionary<string, string>(env) { ["HANGAR_SERVER_FINGERPRINT"] = WrongPin }, "status");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.True(flag.ExitCode == 0, flag.ToString());
        Assert.Equal(1, create.ExitCode);
        Assert.Contains("needs the admin role", create.Stderr);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains(WrongPin, wrong.Stderr);
        Assert.Contains(_fingerprint, wrong.Stderr);
    }

    [Fact]
    public async Task Login_KeepsServerTokenAndPinPrivate_LaterCommandsUseThem_LogoutForgets()
    {
        var admin = (await File.ReadAllTextAsync(Path.Combine(_serverHome.Path, "control-plane", "admin-token"))).Trim();
        var none = new Dictionary<string, string>();

        var login = await CliAsync(none, "login", _url, "--token", admin, "--fingerprint", _fingerprint);
        var path = Path.Combine(_config, "hangar", "login.json");
        var made = await CliAsync(none, "api-token", "create", "--role", "operator");
        var logout = await CliAsync(none, "logout");
        var after = await CliAsync(none, "api-token", "list");

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("as admin", login.Stdout);
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.StartsWith("hat_", made.Stdout.Trim());
        Assert.Equal(0, logout.ExitCode);
        Assert.False(File.Exists(path));
        Assert.Equal(3, after.ExitCode); // back to the (empty) home: no server runs for it
    }

    [Fact]
    public async Task Login_WrongToken_SavesNothing()
    {
        var login = await CliAsync(new Dictionary<string, string>(), "login", _url, "--token", "hat_0123456789ab_" + new string('0', 64), "--fingerprint", _fingerprint);

        Assert.Equal(1, login.ExitCode);
        Assert.Contains("refused the token", login.Stderr);
        Assert.False(File.Exists(Path.Combine(_config, "hangar", "login.json")));
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex FingerprintPattern();
}
