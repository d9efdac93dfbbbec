using System.Net;
using System.Net.Http.Headers;
using Hangar.Integration.Support;
using Hangar.Testing;

namespace Hangar.Integration.Observability;

/// <summary>
/// <c>/metrics</c> scraped over HTTP from real daemons and read with a strict parser (<see cref="PrometheusText"/>): the
/// control plane of <c>hangar up</c> with its local agent (viewer token, VM phase and health moving with the VM, rollouts
/// by outcome, heartbeats, QMP latency, CPU and memory of the VM's QEMU), and a standalone <c>hangar agent
/// --metrics-listen</c> (no token, loopback). Tiny VMs under TCG.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class MetricsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private const string OneVm = """
        vms:
          alpha:
            image: tiny
            memory: 96MiB
        """;

    [Fact]
    public async Task Up_TinyVm_ServerMetricsFollowTheVmRolloutsAndHeartbeats()
    {
        await using var home = new HangarHome();
        await home.OkAsync("up", home.WriteFleet(OneVm));
        var info = DaemonInfo.TryRead(home.Path)!;
        var url = new Uri(new Uri(info.Url), "/metrics");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        using (var anonymous = await http.GetAsync(url)) Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var viewer = (await home.OkAsync("api-token", "create", "--role", "viewer", "--name", "prometheus")).Stdout.Trim();
        // up returns once the VM is healthy; the gate's verdict may be recorded a moment after.
        var first = await Eventually.WaitAsync(() => ScrapeAsync(http, url, viewer), m => m.Value("hangar_rollouts_total", ("outcome", "succeeded")) == 1,
            Wait, "the first rollout to be counted");
        Assert.Equal(1, first.Value("hangar_vms", ("phase", "running")));
        Assert.Equal(0, first.Value("hangar_vms", ("phase", "stopped")));
        Assert.Equal(1, first.Value("hangar_vms_health", ("health", "healthy")));
        Assert.Equal(1, first.Value("hangar_agents_connected"));
        Assert.Equal(1, first.Value("hangar_agent_connected")); // the local agent's own view
        Assert.Equal(1, first.Value("hangar_generation"));
        Assert.Equal(1, first.Value("hangar_rollouts_total", ("outcome", "succeeded")));
        Assert.Equal(1, first.Value("hangar_rollout_duration_seconds_count", ("outcome", "succeeded")));
        Assert.Equal("histogram", first.Families["hangar_qmp_command_duration_seconds"].Type);
        Assert.True(first.Value("hangar_qmp_command_duration_seconds_count", ("command", "cont")) >= 1, "The local agent's cont is measured.");
        var cpu = first.Value("hangar_vm_cpu_seconds_total", ("vm", "alpha"));
        Assert.True(cpu > 0, $"alpha's QEMU has used CPU time: {cpu}");
        Assert.True(first.Value("hangar_vm_memory_rss_bytes", ("vm", "alpha")) > 16 << 20, "alpha's QEMU holds more than 16 MiB.");

        // TCG emulates the guest on the host's CPU: its QEMU's CPU time grows. Heartbeats come in quiet intervals (10 s).
        await Eventually.WaitAsync(() => ScrapeAsync(http, url, viewer), m => m.Value("hangar_vm_cpu_seconds_total", ("vm", "alpha")) > cpu,
            Wait, "alpha's CPU time to grow");
        await Eventually.WaitAsync(() => ScrapeAsync(http, url, viewer), m => m.Samples("hangar_agent_heartbeats_total").Sum(s => s.Value) >= 1,
            Wait, "a heartbeat to be counted");

        // A generation whose health check cannot pass (applied in place: no restart): its rollout fails, and is counted so.
        await home.RunAsync("up", home.WriteFleet(OneVm + "\n    health:\n      serial: \"no such line\"\n      timeout: 2s\n"));
        var failed = await Eventually.WaitAsync(() => ScrapeAsync(http, url, viewer), m => m.Value("hangar_rollouts_total", ("outcome", "failed")) == 1,
            Wait, "the failed rollout to be counted");
        Assert.Equal(1, failed.Value("hangar_rollout_duration_seconds_count", ("outcome", "failed")));
        // The automatic rollback (on by default) is a generation of its own, with a rollout of its own that passes.
        await Eventually.WaitAsync(() => ScrapeAsync(http, url, viewer), m => m.Value("hangar_generation") == 3
            && m.Value("hangar_rollouts_total", ("outcome", "succeeded")) == 2 && m.Value("hangar_vms_health", ("health", "healthy")) == 1,
            Wait, "the automatic rollback's rollout to pass");

        await home.OkAsync("vm", "stop", "alpha");
        var stopped = await Eventually.WaitAsync(() => ScrapeAsync(http, url, viewer), m => m.Value("hangar_vms", ("phase", "stopped")) == 1,
            Wait, "the stopped phase in the metrics");
        Assert.Equal(0, stopped.Value("hangar_vms", ("phase", "running")));
        Assert.Null(stopped.Value("hangar_vm_memory_rss_bytes", ("vm", "alpha")));
        Assert.True(stopped.Value("hangar_qmp_command_duration_seconds_count", ("command", "system_powerdown")) >= 1, "The graceful stop's powerdown is measured.");
        await home.OkAsync("down", "--purge");
    }

    [Fact]
    public async Task Agent_MetricsListenPortOnly_ServesItsVmsCpuAndMemoryOnLoopbackWithoutToken()
    {
        using var port = TestPorts.Reserve();
        await using var cluster = await Cluster.StartAsync(["m1"], _ => ["--metrics-listen", port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await cluster.Server.OkAsync("up", cluster.Server.WriteFleet(OneVm));
        var url = new Uri($"http://127.0.0.1:{port.Port}/metrics");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        var metrics = await Eventually.WaitAsync(() => ScrapeAsync(http, url, token: null), m => m.Value("hangar_agent_vms", ("phase", "running")) == 1,
            Wait, "the agent's metrics to show alpha running");
        Assert.Equal(1, metrics.Value("hangar_agent_connected"));
        Assert.True(metrics.Value("hangar_vm_cpu_seconds_total", ("vm", "alpha")) > 0, cluster.Logs());
        Assert.True(metrics.Value("hangar_vm_memory_rss_bytes", ("vm", "alpha")) > 16 << 20);
        Assert.True(metrics.Value("hangar_qmp_command_duration_seconds_count", ("command", "cont")) >= 1);
        Assert.True(metrics.Value("hangar_qmp_command_duration_seconds_count", ("command", "qmp_capabilities")) >= 1);
        using (var other = await http.GetAsync(new Uri(url, "/api/v1/vms"))) Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains($"Serving metrics on http://127.0.0.1:{port.Port}/metrics", cluster.Logs()); // a port alone: loopback

        // The control plane, without an agent of its own, counts the remote one and no VM process of its own.
        var info = DaemonInfo.TryRead(cluster.Server.Path)!;
        var server = await ScrapeAsync(http, new Uri(new Uri(info.Url), "/metrics"), info.ApiToken);
        Assert.Equal(1, server.Value("hangar_agents_connected"));
        Assert.Equal(1, server.Value("hangar_vms", ("phase", "running")));
        Assert.False(server.Families.ContainsKey("hangar_vm_cpu_seconds_total"));
        await cluster.Server.OkAsync("down", "--purge");
    }

    [Theory]
    [InlineData("9464", "127.0.0.1", 9464)]
    [InlineData(":9464", "127.0.0.1", 9464)]
    [InlineData("0.0.0.0:9464", "0.0.0.0", 9464)]
    [InlineData("[::1]:0", "[::1]", 0)]
    [InlineData("localhost:9464", "localhost", 9464)]
    public void MetricsListen_Forms_ListenWhereAsked(string text, string host, int port) =>
        Assert.Equal((host, port), Hangar.Server.MetricsListener.Parse(text));

    [Theory]
    [InlineData("metrics.example:9464")]
    [InlineData("127.0.0.1:x")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("-1")]
    public void MetricsListen_Malformed_ExplainsWhatIsValid(string text)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Hangar.Server.MetricsListener.Parse(text));
        Assert.Contains("--metrics-listen " + text, e.Message);
        Assert.Contains("0.0.0.0:9464", e.Message);
    }

    [Fact]
    public void Parser_RefusesWhatAScraperWould()
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse("# HELP a_total x\n# TYPE a_total counter\na_total{l=\"v} 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse("b 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse(
            "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
        Assert.Throws<FormatException>(() => PrometheusText.Parse(
            "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"));
        var ok = PrometheusText.Parse("# HELP g x\n# TYPE g gauge\ng{a=\"q\\\"\\\\\\n\"} 2.5\n");
        Assert.Equal(2.5, ok.Value("g", ("a", "q\"\\\n")));
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http, Uri url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {body}");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return PrometheusText.Parse(body);
    }
}
