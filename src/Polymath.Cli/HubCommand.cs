using System.Globalization;
using System.Text.Json;
using Polymath.Hub;
using Polymath.Hub.Client;

namespace Polymath.Cli;

/// <summary><c>polymath hub</c>: run a data-sharing hub and work with its repositories.</summary>
internal static class HubCommand
{
    private static readonly string[] Verbs = ["serve", "login", "create", "push", "pull", "log", "diff", "tag", "grant", "revoke", "annotate", "verify", "gc", "user", "token", "bench"];

    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (argv.Length == 0 || (Program.WantsHelp(argv) && (argv.Length == 1 || argv[0].StartsWith('-'))))
        {
            PrintHelp();
            return argv.Length == 0 ? Program.UsageError : 0;
        }
        string verb = argv[0];
        var rest = argv[1..];
        if (Program.WantsHelp(rest))
        {
            PrintHelp();
            return 0;
        }
        try
        {
            return verb switch
            {
                "serve" => Serve(rest, cancel).GetAwaiter().GetResult(),
                "login" => Login(rest, cancel).GetAwaiter().GetResult(),
                "verify" => Verify(rest, cancel).GetAwaiter().GetResult(),
                "bench" => HubBenchCommand.RunAsync(rest, cancel).GetAwaiter().GetResult(),
                _ when Verbs.Contains(verb) => WithClient(verb, rest, cancel).GetAwaiter().GetResult(),
                _ => throw new UsageException($"unknown hub command '{verb}'. Commands: {string.Join(", ", Verbs)}.", "hub"),
            };
        }
        catch (HubApiException e)
        {
            Console.Error.WriteLine($"polymath hub {verb}: {e.Status} {e.Title}: {e.Detail}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"polymath hub {verb}: cannot reach the hub: {e.Message}");
            return 1;
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message, "hub");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"polymath hub {verb}: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> Serve(string[] argv, CancellationToken cancel)
    {
        var args = new Args("hub", argv);
        var options = new HubServerOptions
        {
            Urls = args.Value("--urls") ?? "http://127.0.0.1:8080",
            DataDir = args.Value("--data") ?? "hub-data",
            Database = args.Value("--db"),
            PublicUrl = args.Value("--public-url"),
            Verbose = args.Flag("--verbose"),
        };
        args.End(["--urls", "--data", "--db", "--public-url", "--verbose"]);
        await using var server = await HubServer.StartAsync(options, cancel);
        Console.WriteLine($"polymath hub: listening on {string.Join(", ", server.Addresses)} ({server.Backend}, data in {Path.GetFullPath(options.DataDir)})");
        if (server.AdminToken is not null)
            Console.WriteLine($"polymath hub: first start: site administrator 'admin' created; its token is in {server.AdminTokenPath}");
        Console.Out.Flush();
        await server.WaitForShutdownAsync(cancel);
        Console.WriteLine("polymath hub: stopped.");
        return 0;
    }

    private static async Task<int> Login(string[] argv, CancellationToken cancel)
    {
        var args = new Args("hub", argv);
        string url = args.Value("--url") ?? throw new UsageException("hub login needs --url (e.g. http://127.0.0.1:8080).", "hub");
        string? token = args.Value("--token");
        string? tokenFile = args.Value("--token-file");
        args.End(["--url", "--token", "--token-file"]);
        if (token == "-")
            token = Console.In.ReadLine()?.Trim();
        if (tokenFile is not null)
            token = (await File.ReadAllTextAsync(tokenFile, cancel)).Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new UsageException($"--url '{url}' is not an absolute URL.", "hub");
        using var client = new HubClient(uri, token);
        string who = token is null ? "anonymous" : (await client.WhoAmIAsync(cancel)).User;
        var login = new HubLogin(uri.ToString().TrimEnd('/'), token);
        login.Save();
        Console.WriteLine($"polymath hub: signed in to {login.Url} as {who} (saved in {HubLogin.DefaultPath()})");
        return 0;
    }

    private static async Task<int> Verify(string[] argv, CancellationToken cancel)
    {
        var args = new Args("hub", argv);
        string? data = args.Value("--data");
        string? db = args.Value("--db");
        string? url = args.Value("--url");
        string? token = args.Value("--token");
        args.End(["--data", "--db", "--url", "--token"]);
        if (data is not null)
        {
            var (problems, summary) = await HubStorageCheck.VerifyAsync(data, db, cancel);
            foreach (var p in problems)
                Console.WriteLine(p);
            Console.WriteLine($"polymath hub verify: {summary}: {(problems.Count == 0 ? "ok" : $"{problems.Count} problems")}");
            return problems.Count == 0 ? 0 : 1;
        }
        using var client = Connect(url, token);
        var result = await client.VerifyAsync(cancel);
        bool ok = result["ok"]?.GetValue<bool>() ?? false;
        Console.WriteLine(result["report"]?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"polymath hub verify: {(ok ? "ok" : "problems found")}");
        return ok ? 0 : 1;
    }

    private static async Task<int> WithClient(string verb, string[] argv, CancellationToken cancel)
    {
        var args = new Args("hub", argv);
        string? url = args.Value("--url");
        string? token = args.Value("--token");
        using var client = Connect(url, token);
        var inv = CultureInfo.InvariantCulture;
        switch (verb)
        {
            case "create":
            {
                bool model = args.Flag("--model");
                bool isPrivate = args.Flag("--private");
                string? description = args.Value("--description");
                var (owner, name) = OwnerName(OnePositional(args, "hub create owner/name"));
                args.End(["--model", "--private", "--description", "--url", "--token"]);
                var repo = await client.CreateRepoAsync(name, owner, model ? "model" : "dataset", isPrivate, description, cancel);
                Console.WriteLine($"created {(repo.Private ? "private" : "public")} {repo.Kind} {repo.FullName}");
                return 0;
            }
            case "push":
            {
                string message = args.Value("-m") ?? args.Value("--message") ?? "push";
                var pos = args.TakePositionals();
                args.End(["-m", "--message", "--url", "--token"]);
                if (pos.Count != 2)
                    throw new UsageException("usage: polymath hub push DIR hub://owner/name[@branch] [-m MESSAGE]", "hub");
                var a = HubAddress.Parse(pos[1]);
                var commit = await client.PushAsync(a.Owner, a.Name, pos[0], a.Revision ?? "main", message, Lines("uploaded"), cancel);
                Console.WriteLine(commit is null ? $"{a.Owner}/{a.Name}@{a.Revision ?? "main"} already holds exactly {pos[0]}; nothing to commit." : $"committed {commit.Id} to {a.Owner}/{a.Name}@{a.Revision ?? "main"}");
                return 0;
            }
            case "pull":
            {
                var pos = args.TakePositionals();
                args.End(["--url", "--token"]);
                if (pos.Count is < 1 or > 2)
                    throw new UsageException("usage: polymath hub pull hub://owner/name[@rev][/path] [DEST]", "hub");
                var a = HubAddress.Parse(pos[0]);
                string dest = pos.Count == 2 ? pos[1] : (a.Path.Length == 0 ? a.Name : ".");
                var files = await client.PullAsync(a.Owner, a.Name, a.Revision, a.Path, dest, Lines("downloaded"), cancel);
                Console.WriteLine($"pulled {files.Count} files ({files.Sum(f => f.Size)} bytes) from {a} into {dest}");
                return 0;
            }
            case "log":
            {
                int limit = args.Int("--limit", 1, 100_000) ?? 20;
                var a = HubAddress.Parse(OnePositional(args, "hub log hub://owner/name[@rev]"));
                args.End(["--limit", "--url", "--token"]);
                foreach (var c in await client.LogAsync(a.Owner, a.Name, a.Revision, limit, cancel))
                    Console.WriteLine($"{c.Id[..12]}  {c.Time[..19].Replace('T', ' ')}  {c.Author,-12}  {c.Message.Split('\n')[0]}");
                return 0;
            }
            case "diff":
            {
                string? from = args.Value("--from");
                string? to = args.Value("--to");
                string? csv = args.Value("--csv");
                string? key = args.Value("--key");
                var a = HubAddress.Parse(OnePositional(args, "hub diff hub://owner/name [--from REV] [--to REV] [--csv PATH --key COLUMN]"));
                args.End(["--from", "--to", "--csv", "--key", "--url", "--token"]);
                to ??= a.Revision;
                if (csv is not null)
                {
                    var d = await client.CsvDiffAsync(a.Owner, a.Name, from, to, csv, key ?? throw new UsageException("--csv needs --key COLUMN.", "hub"), cancel);
                    Console.WriteLine($"{csv} by '{d.Key}': {d.Added} added, {d.Removed} removed, {d.Changed} changed, {d.Unchanged} unchanged rows");
                    if (d.AddedKeys.Count > 0) Console.WriteLine($"  added:   {string.Join(", ", d.AddedKeys)}");
                    if (d.RemovedKeys.Count > 0) Console.WriteLine($"  removed: {string.Join(", ", d.RemovedKeys)}");
                    if (d.ChangedKeys.Count > 0) Console.WriteLine($"  changed: {string.Join(", ", d.ChangedKeys)}");
                    return 0;
                }
                var diff = await client.DiffAsync(a.Owner, a.Name, from, to, cancel);
                Console.WriteLine($"{diff.From[..12]}..{diff.To[..12]}");
                foreach (var f in diff.Added) Console.WriteLine($"A  {f.Path}  ({f.Size} bytes)");
                foreach (var f in diff.Removed) Console.WriteLine($"D  {f.Path}");
                foreach (var f in diff.Modified) Console.WriteLine($"M  {f.Path}  ({f.OldSize} -> {f.NewSize} bytes)");
                return 0;
            }
            case "tag":
            {
                var pos = args.TakePositionals();
                args.End(["--url", "--token"]);
                if (pos.Count != 2)
                    throw new UsageException("usage: polymath hub tag hub://owner/name@rev TAG", "hub");
                var a = HubAddress.Parse(pos[0]);
                await client.TagAsync(a.Owner, a.Name, pos[1], a.Revision, cancel);
                Console.WriteLine($"tagged {a.Owner}/{a.Name}@{a.Revision ?? "main"} as {pos[1]}");
                return 0;
            }
            case "grant" or "revoke":
            {
                string? user = args.Value("--user");
                string? team = args.Value("--team");
                string? role = verb == "grant" ? args.Value("--role") ?? throw new UsageException("hub grant needs --role reader|contributor|writer|admin.", "hub") : null;
                var (owner, name) = OwnerNameOrAddress(OnePositional(args, $"hub {verb} owner/name (--user USER | --team ORG/TEAM){(verb == "grant" ? " --role ROLE" : "")}"));
                args.End(["--user", "--team", "--role", "--url", "--token"]);
                if ((user is null) == (team is null))
                    throw new UsageException($"hub {verb} needs exactly one of --user or --team.", "hub");
                if (verb == "grant")
                    await client.GrantAsync(owner, name, user, team, role!, cancel);
                else
                    await client.RevokeAsync(owner, name, user, team, cancel);
                Console.WriteLine(verb == "grant" ? $"{user ?? team} is now {role} of {owner}/{name}" : $"{user ?? team} has no role in {owner}/{name} any more");
                return 0;
            }
            case "annotate":
            {
                string? key = args.Value("--key");
                string? value = args.Value("--value");
                string? record = args.Value("--record");
                string? labelSet = args.Value("--label-set");
                var a = HubAddress.Parse(OnePositional(args, "hub annotate hub://owner/name@rev/path --key KEY --value VALUE [--record ID] [--label-set NAME]"));
                args.End(["--key", "--value", "--record", "--label-set", "--url", "--token"]);
                if (key is null || value is null)
                    throw new UsageException("hub annotate needs --key and --value.", "hub");
                var n = await client.AnnotateAsync(a.Owner, a.Name, a.Revision, a.Path, key, value, record, labelSet, cancel);
                Console.WriteLine($"annotated {a.Path}{(record is null ? "" : "#" + record)} in {a.Owner}/{a.Name}@{n.Commit[..12]}: {key} = {value}");
                return 0;
            }
            case "gc":
            {
                double? grace = args.Double("--grace-seconds", 0, 1e9);
                args.End(["--grace-seconds", "--url", "--token"]);
                var r = await client.CollectGarbageAsync(grace, cancel: cancel);
                Console.WriteLine($"deleted {r["deletedBlobs"]} blobs ({r["freedBytes"]} bytes) and {r["abandonedUploads"]} abandoned upload sessions, kept {r["keptBlobs"]} blobs");
                return 0;
            }
            case "user":
            {
                var pos = args.TakePositionals();
                bool admin = args.Flag("--site-admin");
                args.End(["--site-admin", "--url", "--token"]);
                if (pos.Count != 2 || pos[0] != "create")
                    throw new UsageException("usage: polymath hub user create NAME [--site-admin]", "hub");
                await client.CreateUserAsync(pos[1], admin, cancel);
                Console.WriteLine($"created user {pos[1]}");
                return 0;
            }
            case "token":
            {
                string scope = args.Value("--scope") ?? "write";
                string? repo = args.Value("--repo");
                string? forUser = args.Value("--user");
                double days = args.Double("--days", 1e-6, 366) ?? 90;
                string name = args.Value("--name") ?? "cli";
                var pos = args.TakePositionals();
                args.End(["--scope", "--repo", "--user", "--days", "--name", "--url", "--token"]);
                if (pos.Count == 1 && pos[0] == "create")
                {
                    var t = await client.CreateTokenAsync(name, scope, repo, days, forUser, cancel);
                    Console.WriteLine(t.Token);
                    Console.Error.WriteLine($"token {t.Id} ({scope}{(repo is null ? "" : ", " + repo)}) expires {t.Expires}; it is shown only now.");
                    return 0;
                }
                if (pos.Count == 2 && pos[0] == "revoke")
                {
                    await client.RevokeTokenAsync(pos[1], cancel);
                    Console.WriteLine($"revoked token {pos[1]}");
                    return 0;
                }
                throw new UsageException("usage: polymath hub token create [--scope read|write] [--repo owner/name] [--days N] [--user U] | token revoke ID", "hub");
            }
            default:
                throw new UsageException($"unknown hub command '{verb}'.", "hub");
        }
    }

    /// <summary>A client for --url/--token, else the saved login (with $POLYMATH_HUB_URL/$POLYMATH_HUB_TOKEN).</summary>
    private static HubClient Connect(string? url, string? token)
    {
        var login = HubLogin.Load();
        url ??= login?.Url ?? throw new UsageException("no hub given: run 'polymath hub login --url URL --token TOKEN', or pass --url.", "hub");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new UsageException($"hub URL '{url}' is not an absolute URL.", "hub");
        return new HubClient(uri, token ?? login?.Token);
    }

    private static string OnePositional(Args args, string usage)
    {
        var pos = args.TakePositionals();
        return pos.Count == 1 ? pos[0] : throw new UsageException($"usage: polymath {usage}", "hub");
    }

    private static (string Owner, string Name) OwnerName(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new UsageException($"'{text}' is not owner/name.", "hub");
        return (parts[0], parts[1]);
    }

    private static (string Owner, string Name) OwnerNameOrAddress(string text) =>
        HubAddress.IsAddress(text) ? HubAddress.Parse(text) is var a ? (a.Owner, a.Name) : default : OwnerName(text);

    /// <summary>One line per finished file (plain lines: this also reads well when output is redirected).</summary>
    private static IProgress<TransferProgress> Lines(string verb) => new LineProgress(verb);

    private sealed class LineProgress(string verb) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress p)
        {
            if (p.Done == p.Total)
                Console.Error.WriteLine($"  {verb} {p.Path} ({p.Total} bytes)");
        }
    }

    internal static void PrintHelp()
    {
        Console.WriteLine("""
            Usage: polymath hub COMMAND [options]

            A data-sharing hub: versioned, access-controlled datasets and models (see docs/hub.md).

            Server:
              serve [--urls http://127.0.0.1:8080] [--data DIR] [--db CONNECTION] [--public-url URL] [--verbose]
                        run the hub; SQLite in DIR by default, PostgreSQL with --db "Host=...;Database=..."; on first
                        start a site administrator 'admin' is created and its token written to DIR/admin-token
              verify --data DIR [--db CONNECTION]
                        check a stopped hub's storage offline (or, without --data, ask the running hub)

              bench [--size-mib 1024] [--readers 50] [--requests 20] [--dir DIR] [--db CONNECTION] [--json]
                        throughput on loopback beside a plain file copy on the same disk, measured in the same
                        run: upload and download MB/s of one file, p50/p99 latency of concurrent small reads

            Client (the hub and token come from 'login', or --url URL --token TOKEN on any command):
              login --url URL [--token TOKEN | --token - | --token-file FILE]
              create owner/name [--model] [--private] [--description TEXT]
              push DIR hub://owner/name[@branch] [-m MESSAGE]      make the branch hold exactly DIR's files
              pull hub://owner/name[@rev][/path] [DEST]            download a version, a folder or a file
              log hub://owner/name[@rev] [--limit N]
              diff hub://owner/name [--from REV] [--to REV] [--csv PATH --key COLUMN]
              tag hub://owner/name@rev TAG
              grant owner/name (--user USER | --team ORG/TEAM) --role reader|contributor|writer|admin
              revoke owner/name (--user USER | --team ORG/TEAM)
              annotate hub://owner/name@rev/path --key KEY --value VALUE [--record ID] [--label-set NAME]
              gc [--grace-seconds N]                               delete unreferenced blobs (site admins)
              user create NAME [--site-admin]                      (site admins)
              token create [--scope read|write] [--repo owner/name] [--days N] [--user U] | token revoke ID

            Exit codes: 0 success, 1 the hub refused or could not be reached (one line says why), 2 bad command line.
            """);
    }
}
