using System.Security.Cryptography;
using System.Text.Json;
using Hangar.Integration.Support;
using Hangar.Protocol.Agent;
using Hangar.Protocol.Api;
using Hangar.Qemu;
using Hangar.Testing;

namespace Hangar.Integration.MultiHost;

/// <summary>
/// Images reach the agent that needs them with no path shared between hosts: a file image is uploaded by the real
/// CLI to <c>hangar server --no-agent</c>'s image store and fetched by digest by a separate <c>hangar agent</c> process
/// (its own home, nowhere near the file); a URL image is downloaded by the agent itself from an HTTP server on loopback.
/// The images are blank qcow2 files made with qemu-img (as in <c>FileImage_VmRunsOnAnOverlay…</c>): no guest boots
/// from them, and what is checked is that QEMU runs on an overlay whose base is the agent's own verified copy.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ImageDistributionTests
{
    private static async Task<(string Path, string Sha256, byte[] Bytes)> BlankQcow2Async(string directory, string name, long virtualBytes)
    {
        var path = Path.Combine(directory, name);
        await new QemuImg().CreateBlankAsync(path, virtualBytes, CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(path);
        return (path, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
    }

    [Fact]
    public async Task FileImage_UploadedByTheCli_IsFetchedByTheAgentByDigest_AndGcDeletesItOnceUnused()
    {
        await using var cluster = await Cluster.StartAsync("a1");
        var agentHome = cluster.Agents[0].Home.Path;
        // The image lives beside the fleet file on the CLI's side only.
        var files = Directory.CreateTempSubdirectory("hangar-image-src-").FullName;
        try
        {
            var image = await BlankQcow2Async(files, "base.qcow2", 64L * 1024 * 1024);
            var fleet = Path.Combine(files, "fleet.yaml");
            await File.WriteAllTextAsync(fleet, $"""
                images:
                  blank:
                    path: ./base.qcow2
                    sha256: {image.Sha256}
                vms:
                  disky:
                    image: blank
                    memory: 64MiB
                    disk: 128MiB
                """);

            var up = await cluster.Server.OkAsync("up", fleet);
            Assert.True(up.Stderr.Contains("uploading image blank"), $"{up}\n{string.Join("\n", Directory.GetFileSystemEntries(cluster.Server.Path, "*", SearchOption.AllDirectories))}");

            var vm = (await cluster.Server.StatusAsync()).Vms.Single();
            Assert.Equal((VmPhase.Running, "a1"), (vm.Phase, vm.Agent));
            Assert.Single(cluster.Agents[0].Home.QemuPids());
            // The agent's own verified copy, in its own home, is the overlay's base; the source file is untouched.
            var cached = Path.Combine(agentHome, "blobs", "sha256", image.Sha256);
            Assert.Equal(image.Bytes, await File.ReadAllBytesAsync(cached));
            var overlay = await new QemuImg().InfoAsync(Path.Combine(agentHome, "vms", "disky", "disk.qcow2"), CancellationToken.None);
            Assert.Equal(cached, overlay.BackingFile);
            Assert.True(File.Exists(Path.Combine(cluster.Server.Path, "blobs", "sha256", image.Sha256)));

            var listed = JsonSerializer.Deserialize<ImageInfo[]>((await cluster.Server.OkAsync("image", "list", "--output", "json")).Stdout,
                new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            var info = Assert.Single(listed);
            Assert.Equal((image.Sha256, (long?)image.Bytes.Length, true, "disky"), (info.Sha256, info.SizeBytes, info.Stored, Assert.Single(info.Vms)));

            // A second apply uploads nothing: the server has the digest.
            var again = await cluster.Server.OkAsync("apply", fleet);
            Assert.DoesNotContain("uploading", again.Stderr);

            // Once no VM uses it, gc deletes it from the store.
            await File.WriteAllTextAsync(fleet, "vms: {}\n");
            await cluster.Server.OkAsync("apply", fleet);
            var gc = await cluster.Server.OkAsync("gc");
            Assert.Contains($"deleted image sha256:{image.Sha256}", gc.Stdout);
            Assert.False(File.Exists(Path.Combine(cluster.Server.Path, "blobs", "sha256", image.Sha256)));
            // And from the agent's cache, after the removed VM's disk (the overlay on it) went first.
            Assert.Contains("deleted a1:vms/disky/disk.qcow2", gc.Stdout);
            Assert.Contains($"deleted a1:blobs/sha256/{image.Sha256}", gc.Stdout);
            Assert.Contains("and 1 cached images on agents", gc.Stdout);
            Assert.False(File.Exists(cached));
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    [Fact]
    public async Task FileImage_WithAnotherDigest_IsRefusedByTheServer_AndNothingIsAppliedOrStored()
    {
        await using var cluster = await Cluster.StartAsync("a1");
        var files = Directory.CreateTempSubdirectory("hangar-image-src-").FullName;
        try
        {
            var image = await BlankQcow2Async(files, "base.qcow2", 32L * 1024 * 1024);
            var claimed = new string('c', 64);
            var fleet = Path.Combine(files, "fleet.yaml");
            await File.WriteAllTextAsync(fleet, $"images:\n  blank:\n    path: ./base.qcow2\n    sha256: {claimed}\nvms:\n  disky:\n    image: blank\n    memory: 64MiB\n");

            var result = await cluster.Server.RunAsync("apply", fleet, "--timeout", "30s");

            Assert.Equal(1, result.ExitCode);
            Assert.Contains(claimed, result.Stderr);
            Assert.Contains(image.Sha256, result.Stderr);
            var status = await cluster.Server.StatusAsync();
            Assert.Equal(0, status.Generation);
            Assert.Empty(status.Vms);
            var store = Path.Combine(cluster.Server.Path, "blobs", "sha256");
            Assert.True(!Directory.Exists(store) || !Directory.EnumerateFiles(store).Any(), string.Join("\n", Directory.GetFileSystemEntries(cluster.Server.Path, "*", SearchOption.AllDirectories)));

            // plan refuses the same way.
            Assert.Equal(1, (await cluster.Server.RunAsync("plan", fleet)).ExitCode);
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }

    [Fact]
    public async Task UrlImage_DownloadedByTheAgent_ResumesAfterACut_AndAWrongDigestOr404FailsTheVmWithNothingStarted()
    {
        await using var http = new LoopbackFileServer();
        await using var cluster = await Cluster.StartAsync("a1");
        var agent = cluster.Agents[0].Home;
        var files = Directory.CreateTempSubdirectory("hangar-image-src-").FullName;
        try
        {
            var image = await BlankQcow2Async(files, "cloud.qcow2", 64L * 1024 * 1024);
            var url = http.Serve("cloud.qcow2", image.Bytes);
            var wrong = http.Serve("wrong.qcow2", (await BlankQcow2Async(files, "other.qcow2", 16L * 1024 * 1024)).Bytes);
            http.CutAfter(image.Bytes.Length / 3);
            var badDigest = new string('d', 64);
            var missingDigest = new string('e', 64);

            await cluster.Server.OkAsync("up", cluster.Server.WriteFleet($"""
                images:
                  cloud:
                    url: {url}
                    sha256: {image.Sha256}
                vms:
                  web1:
                    image: cloud
                    memory: 64MiB
                  web2:
                    image: cloud
                    memory: 64MiB
                """));

            var vms = (await cluster.Server.StatusAsync()).Vms;
            Assert.All(vms, v => Assert.Equal(VmPhase.Running, v.Phase));
            Assert.Equal(2, agent.QemuPids().Count);
            // Two VMs, one download, resumed where the cut stopped it: no byte fetched twice.
            var requests = http.Requests.Where(r => r.Path == "/cloud.qcow2").ToArray();
            Assert.True(requests.Length == 2, string.Join("\n", http.Requests) + "\n" + cluster.Logs());
            Assert.Equal($"bytes={requests[0].BodyBytes}-", requests[1].Range);
            Assert.Equal(image.Bytes.Length, requests.Sum(r => r.BodyBytes));
            Assert.Equal(image.Bytes, await File.ReadAllBytesAsync(Path.Combine(agent.Path, "blobs", "sha256", image.Sha256)));

            var result = await cluster.Server.RunAsync("apply", cluster.Server.WriteFleet($"""
                images:
                  cloud:
                    url: {url}
                    sha256: {image.Sha256}
                  tampered:
                    url: {wrong}
                    sha256: {badDigest}
                  gone:
                    url: {new Uri(http.BaseUrl, "gone.qcow2")}
                    sha256: {missingDigest}
                vms:
                  web1:
                    image: cloud
                    memory: 64MiB
                  web2:
                    image: cloud
                    memory: 64MiB
                  bad:
                    image: tampered
                    memory: 64MiB
                  lost:
                    image: gone
                    memory: 64MiB
                """), "--timeout", "90s", "--no-auto-rollback");

            Assert.Equal(4, result.ExitCode);
            var status = await Eventually.WaitAsync(cluster.Server.StatusAsync,
                s => s.Vms.Where(v => v.Name is "bad" or "lost").All(v => v.LastError is not null), TimeSpan.FromSeconds(60), "both VMs to fail");
            var bad = status.Vms.Single(v => v.Name == "bad");
            Assert.Contains(badDigest, bad.LastError);
            Assert.Contains(wrong.ToString(), bad.LastError);
            Assert.Contains("404", status.Vms.Single(v => v.Name == "lost").LastError);
            Assert.All(status.Vms.Where(v => v.Name is "bad" or "lost"), v => Assert.Null(v.Pid));
            Assert.Equal(2, agent.QemuPids().Count); // nothing started for them
            Assert.Equal([image.Sha256], Directory.GetFiles(Path.Combine(agent.Path, "blobs", "sha256")).Select(Path.GetFileName));
            var events = (await cluster.Server.OkAsync("events")).Stdout;
            Assert.Contains(badDigest, events);
        }
        finally
        {
            Directory.Delete(files, recursive: true);
        }
    }
}
