namespace Hangar.Spec.Tests;

/// <summary>The health check: serial, tcp or http, and how often and how strictly it runs.</summary>
public sealed class FleetParserHealthTests
{
    private static string WithHealth(string health) => $"""
        vms:
          web:
            image: tiny
            forwards: ["8080:80"]
            health:
        {health}
        """;

    [Fact]
    public void Parse_HttpPort_DefaultsPathAndStatus()
    {
        var health = Fleet.Valid(WithHealth("      http: 80")).Vms[0].Health!;

        Assert.Equal(HealthCheckKind.Http, health.Kind);
        Assert.Equal(new HttpHealthCheck(80, "/", new([new HttpStatusRange(200, 399)])), health.Http);
        Assert.Equal(80, health.GuestPort);
        Assert.Equal((SpecDefaults.HealthInterval, SpecDefaults.HealthFailures, false), (health.Interval, health.Failures, health.Restart));
    }

    [Fact]
    public void Parse_HttpMapping_ReadsEveryField()
    {
        var health = Fleet.Valid(WithHealth("""
                  http: {port: 80, path: /healthz, status: "200, 204, 300-308"}
                  timeout: 30s
                  interval: 2s
                  failures: 5
                  restart: true
            """)).Vms[0].Health!;

        Assert.Equal("/healthz", health.Http!.Path);
        Assert.Equal("200,204,300-308", health.Http.StatusText);
        Assert.True(health.Http.Accepts(204) && health.Http.Accepts(301) && !health.Http.Accepts(201) && !health.Http.Accepts(404));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), 5, true), (health.Timeout, health.Interval, health.Failures, health.Restart));
    }

    [Fact]
    public void Parse_HttpStatusAsBareNumber_IsOneCode()
    {
        var health = Fleet.Valid(WithHealth("      http: {port: 80, status: 204}")).Vms[0].Health!;
        Assert.Equal("204", health.Http!.StatusText);
    }

    [Theory]
    [InlineData("\"2xx\"", "'2xx' is not a status code or range")]
    [InlineData("\"600\"", "'600' is not a status code or range")]
    [InlineData("\"399-200\"", "The status range '399-200' goes from high to low; write it as 200-399")]
    public void Parse_BadHttpStatus_SaysWhatIsValid(string status, string message)
    {
        var error = Fleet.SingleError(WithHealth($"      http: {{port: 80, status: {status}}}"));
        Assert.Equal("vms.web.health.http.status", error.Path);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Parse_HttpPathWithoutSlash_IsAnError()
    {
        var error = Fleet.SingleError(WithHealth("      http: {port: 80, path: healthz}"));
        Assert.Equal(("vms.web.health.http.path", "'healthz' is not a request path; it starts with '/', like /healthz"), (error.Path, error.Message));
    }

    [Fact]
    public void Parse_HttpPathWithFragment_IsAnError()
    {
        var error = Fleet.SingleError(WithHealth("      http: {port: 80, path: \"/a#b\"}"));
        Assert.StartsWith("The request path has a '#'", error.Message);
    }

    [Fact]
    public void Parse_HttpWithoutPort_NamesTheMissingField()
    {
        var error = Fleet.SingleError(WithHealth("      http: {path: /}"));
        Assert.Equal("Missing required field 'port': the guest port to send the request to", error.Message);
    }

    [Fact]
    public void Parse_HttpToPortWithoutForward_SuggestsOne()
    {
        var error = Fleet.SingleError(WithHealth("      http: {port: 81}"));
        Assert.Equal(("vms.web.health.http", "No tcp forward to guest port 81 in this VM; add one to 'forwards', like \"8081:81\""), (error.Path, error.Message));
    }

    [Fact]
    public void Parse_TwoKindsOfCheck_IsAnError()
    {
        var error = Fleet.SingleError(WithHealth("      tcp: 80\n      http: 80"));
        Assert.Equal(("vms.web.health", "Give only one of 'serial', 'tcp', 'http' and 'exec'"), (error.Path, error.Message));
    }

    [Fact]
    public void Parse_IntervalOnSerialCheck_IsAnError()
    {
        var errors = Fleet.Errors(WithHealth("      serial: ready\n      interval: 5s\n      failures: 2"));
        Assert.Equal(2, errors.Count);
        Assert.Contains("vms.web.health.interval: A serial check watches the console continuously and has no interval", errors[0]);
        Assert.Contains("vms.web.health.failures: A serial check stays healthy once its text appeared", errors[1]);
    }

    [Theory]
    [InlineData("interval: 50ms", "vms.web.health.interval", "An interval of at least 100ms is needed")]
    [InlineData("failures: 0", "vms.web.health.failures", "Expected an integer from 1 to 100, found 0")]
    [InlineData("restart: sometimes", "vms.web.health.restart", "")]
    [InlineData("interval: 2h", "vms.web.health.interval", "An interval of at most 3600s is allowed")]
    [InlineData("timeout: 25h", "vms.web.health.timeout", "A health timeout of at most 86400s is allowed")]
    public void Parse_BadIntervalFailuresOrRestart_IsReportedAtTheField(string line, string path, string message)
    {
        var error = Fleet.SingleError(WithHealth($"      tcp: 80\n      {line}"));
        Assert.Equal(path, error.Path);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void FleetYaml_HttpCheck_RoundTrips()
    {
        var spec = Fleet.Valid(WithHealth("      http: {port: 80, path: /a%20b, status: \"200-204,301\"}\n      failures: 2\n      restart: true"));
        Assert.Equal(spec, Fleet.Valid(FleetYaml.Write(spec)));
    }

    [Fact]
    public void FleetJson_CheckStoredBeforeHttpExisted_ReadsWithDefaults()
    {
        // A generation stored by the first release has no http, interval, failures or restart in its health check.
        var spec = Fleet.Valid(WithHealth("      tcp: 80\n      timeout: 60s"));
        var json = System.Text.Json.Nodes.JsonNode.Parse(FleetJson.Serialize(spec))!;
        var stored = json["vms"]![0]!["health"]!.AsObject();
        foreach (var added in new[] { "http", "interval", "failures", "restart" }) Assert.True(stored.Remove(added), added);
        Assert.Equal(["serialMarker", "tcpGuestPort", "timeout"], stored.Select(p => p.Key).ToArray());

        var health = FleetJson.Deserialize(json.ToJsonString()).Vms[0].Health!;
        Assert.Equal((HealthCheckKind.Tcp, SpecDefaults.HealthInterval, SpecDefaults.HealthFailures, false, (HttpHealthCheck?)null),
            (health.Kind, health.Interval, health.Failures, health.Restart, health.Http));
    }

    [Fact]
    public void HealthText_ShowsEverySetting()
    {
        var health = Fleet.Valid(WithHealth("      http: {port: 80, path: /healthz}\n      timeout: 30s\n      interval: 2s\n      restart: true")).Vms[0].Health;
        Assert.Equal("http 80 GET /healthz status 200-399 within 30s, every 2s, unhealthy after 3 failures, restarts when unhealthy",
            FleetDiff.HealthText(health));
    }
}
