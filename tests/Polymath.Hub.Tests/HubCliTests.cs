using System.Text;
using Polymath.Cli;
using Xunit;

namespace Polymath.Hub.Tests;

/// <summary>Serialises the tests that redirect the process-wide console.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary><c>polymath hub</c> verbs run in-process against a real server: output, exit codes, one-line errors.</summary>
[Collection("console")]
public sealed class HubCliTests() : HubTestBase("sqlite")
{
    private (int Code, string Out, string Err) Cli(params string[] args) => Polymath.Cli.Tests.CliRunner.Run(args);

    private string[] Remote(params string[] args) => [.. args, "--url", Server.Address.ToString(), "--token", AdminToken];

    [Fact]
    public async Task Create_push_log_diff_tag_pull_and_annotate_from_the_command_line()
    {
        Environment.SetEnvironmentVariable("POLYMATH_HUB_CACHE", Path.Combine(Backend.DataDir, "cli-cache"));
        string work = Path.Combine(Backend.DataDir, "work");
        Directory.CreateDirectory(Path.Combine(work, "data"));
        await File.WriteAllTextAsync(Path.Combine(work, "data", "samples.csv"), "id,t\n1,1.0\n2,2.0\n");

        var create = Cli(Remote("hub", "create", "admin/ising", "--private", "--description", "Ising samples"));
        Assert.Equal((0, "created private dataset admin/ising"), (create.Code, create.Out.Trim()));
        var push1 = Cli(Remote("hub", "push", work, "hub://admin/ising", "-m", "first samples"));
        Assert.Equal(0, push1.Code);
        Assert.Contains("uploaded data/samples.csv", push1.Err);
        await File.WriteAllTextAsync(Path.Combine(work, "data", "samples.csv"), "id,t\n1,1.5\n3,3.0\n");
        Assert.Equal(0, Cli(Remote("hub", "push", work, "hub://admin/ising@main", "-m", "more samples")).Code);

        var log = Cli(Remote("hub", "log", "hub://admin/ising"));
        Assert.Equal(0, log.Code);
        var lines = log.Out.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("more samples", lines[0]);
        string first = lines[1][..12];

        var diff = Cli(Remote("hub", "diff", "hub://admin/ising", "--from", first, "--csv", "data/samples.csv", "--key", "id"));
        Assert.Equal(0, diff.Code);
        Assert.Contains("1 added, 1 removed, 1 changed, 0 unchanged", diff.Out);

        Assert.Equal(0, Cli(Remote("hub", "tag", $"hub://admin/ising@{first}", "v1")).Code);
        string dest = Path.Combine(Backend.DataDir, "out");
        var pull = Cli(Remote("hub", "pull", "hub://admin/ising@v1/data", dest));
        Assert.Equal(0, pull.Code);
        Assert.Equal("id,t\n1,1.0\n2,2.0\n", await File.ReadAllTextAsync(Path.Combine(dest, "samples.csv")));

        var note = Cli(Remote("hub", "annotate", "hub://admin/ising@v1/data/samples.csv", "--key", "quality", "--value", "checked"));
        Assert.Equal(0, note.Code);
        Assert.Contains("quality = checked", note.Out);
        Environment.SetEnvironmentVariable("POLYMATH_HUB_CACHE", null);
    }

    [Fact]
    public void Grant_and_revoke_change_access_and_errors_are_one_line_with_exit_code_1()
    {
        Assert.Equal(0, Cli(Remote("hub", "create", "admin/shared", "--private")).Code);
        Assert.Equal(0, Cli(Remote("hub", "user", "create", "bea")).Code);
        var grant = Cli(Remote("hub", "grant", "admin/shared", "--user", "bea", "--role", "writer"));
        Assert.Equal((0, "bea is now writer of admin/shared"), (grant.Code, grant.Out.Trim()));
        Assert.Equal(0, Cli(Remote("hub", "revoke", "hub://admin/shared", "--user", "bea")).Code);

        var missing = Cli(Remote("hub", "log", "hub://admin/none"));
        Assert.Equal(1, missing.Code);
        Assert.Equal("polymath hub log: 404 Not found: repository 'admin/none' does not exist.", missing.Err.Trim());

        var badRole = Cli(Remote("hub", "grant", "admin/shared", "--user", "bea", "--role", "boss"));
        Assert.Equal(1, badRole.Code);
        Assert.Contains("unknown role 'boss'", badRole.Err);
        Assert.Single(badRole.Err.Trim().Split('\n'));

        var badAddress = Cli(Remote("hub", "log", "http://not-a-hub-address"));
        Assert.Equal(2, badAddress.Code);
        Assert.Contains("hub://", badAddress.Err);

        var unreachable = Cli("hub", "log", "hub://a/b", "--url", "http://127.0.0.1:1", "--token", "x");
        Assert.Equal(1, unreachable.Code);
        Assert.Contains("cannot reach the hub", unreachable.Err);

        Assert.Equal(2, Cli("hub", "frobnicate").Code);
    }

    [Fact]
    public void Login_saves_the_hub_and_token_for_later_commands_readable_by_the_owner_only()
    {
        string config = Path.Combine(Backend.DataDir, "config", "hub.json");
        Environment.SetEnvironmentVariable("POLYMATH_HUB_CONFIG", config);
        try
        {
            var login = Cli("hub", "login", "--url", Server.Address.ToString(), "--token", AdminToken);
            Assert.Equal(0, login.Code);
            Assert.Contains("as admin", login.Out);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            Assert.Equal(0, Cli("hub", "create", "admin/after-login").Code);

            var wrong = Cli("hub", "login", "--url", Server.Address.ToString(), "--token", "pmh_wrong");
            Assert.Equal(1, wrong.Code);
            Assert.Contains("401", wrong.Err);
        }
        finally
        {
            Environment.SetEnvironmentVariable("POLYMATH_HUB_CONFIG", null);
        }
    }

    [Fact]
    public async Task Verify_offline_reports_ok_then_the_damaged_version_after_bit_rot()
    {
        await Admin.CreateRepoAsync("checked");
        await CommitTextAsync(Admin, "admin", "checked", "main", ("a.csv", "x,y\n1,2\n"));
        var ok = Cli("hub", "verify", "--data", Backend.DataDir);
        Assert.Equal(0, ok.Code);
        Assert.Contains(": ok", ok.Out);

        var file = (await Admin.TreeAsync("admin", "checked")).Files[0];
        await File.WriteAllTextAsync(Path.Combine(Backend.DataDir, "blobs", file.Sha256[..2], file.Sha256[2..]), "x,y\n1,3\n", Encoding.UTF8);
        var bad = Cli("hub", "verify", "--data", Backend.DataDir);
        Assert.Equal(1, bad.Code);
        Assert.Contains($"corrupt blob {file.Sha256}", bad.Out);
        Assert.Contains("damaged version admin/checked@", bad.Out);

        var online = Cli(Remote("hub", "verify"));
        Assert.Equal(1, online.Code);
        Assert.Contains("problems found", online.Out);
    }

    [Fact]
    public void Bench_reports_throughput_beside_a_file_copy_and_reader_latencies()
    {
        var bench = Cli("hub", "bench", "--size-mib", "2", "--readers", "3", "--requests", "2", "--dir", Backend.DataDir, "--json");
        Assert.Equal(0, bench.Code);
        var row = System.Text.Json.Nodes.JsonNode.Parse(bench.Out.Trim().Split('\n')[^1])!;
        foreach (var key in new[] { "copy_mbs", "upload_mbs", "download_mbs", "upload_vs_copy", "download_vs_copy", "small_p50_ms", "small_p99_ms", "peak_working_set_mb" })
            Assert.True(row[key]!.GetValue<double>() > 0, key);
        Assert.Equal(6, row["small_requests"]!.GetValue<int>());
    }

    [Fact]
    public void Hub_help_lists_every_verb()
    {
        var help = Cli("hub", "--help");
        Assert.Equal(0, help.Code);
        foreach (var verb in new[] { "serve", "login", "create", "push", "pull", "log", "diff", "tag", "grant", "revoke", "annotate", "verify" })
            Assert.Contains($"  {verb} ", help.Out);
        Assert.Contains("hub ", Cli("--help").Out);
    }
}
