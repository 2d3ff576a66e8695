using Polymath.Bench;
using Spectre.Console;

namespace Polymath.Cli;

/// <summary><c>polymath bench</c>: Polymath against PyTorch (and C OpenBLAS), measured in the same run.</summary>
internal static class BenchCommand
{
    public static int Run(string[] argv, CancellationToken cancel)
    {
        if (Program.WantsHelp(argv))
        {
            Help.Command("bench");
            return 0;
        }
        var args = new Args("bench", argv);
        var filters = args.Values("--filter")
            .SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        int threads = args.Int("--threads", 1, 1024) ?? Threads.Count;
        bool json = args.Flag("--json");
        bool quick = args.Flag("--quick");
        bool noPeer = args.Flag("--no-peer");
        bool list = args.Flag("--list");
        int seed = args.Int("--seed", 0, int.MaxValue) ?? 0;
        args.End();

        var selected = Suite.Cases(quick, seed).Where(c => BenchRunner.Matches(c, filters)).ToList();
        if (list)
        {
            foreach (var c in selected)
                Console.WriteLine($"{c.Group}/{c.Name}");
            return 0;
        }
        if (selected.Count == 0)
        {
            var groups = Suite.Cases(quick).Select(c => c.Group).Distinct();
            throw new UsageException($"no benchmark matches --filter {string.Join(",", filters)}; groups: {string.Join(", ", groups)} (see --list).", "bench");
        }

        bool fancy = !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Ansi;
        // The peer check (a Python subprocess importing torch) runs after our timings, when the peers run:
        // spawning it first was seen to slow the first managed-GEMM row tenfold in the same process.
        string peerState = noPeer ? "off" : $"torch via {PeerRunner.Python} (checked after our timings)";
        string header = $"polymath bench: {selected.Count} rows, threads {threads}, {(quick ? "quick" : "full")} mode, " +
                        $"OpenBLAS {(Blas.OpenBlasAvailable ? "available" : "not available")}, peer: {peerState}";
        Console.Error.WriteLine(header);
        if (LoadAverage() is double load && load > 0.75 * Environment.ProcessorCount)
            Console.Error.WriteLine($"  warning: load average {load:F1} on {Environment.ProcessorCount} cores before the run - " +
                                    "other processes compete for the CPU, so times (ours and the peer's) are noisy.");

        var rows = BenchRunner.Run(new BenchOptions
        {
            Filters = filters,
            Threads = threads,
            Quick = quick,
            NoPeer = noPeer,
            Seed = seed,
            Progress = msg => Console.Error.WriteLine("  " + msg),
            RowDone = json ? row => Console.WriteLine(Report.Json(row)) : null,
        }, cancel);

        if (json)
            return 0;
        if (fancy)
            WriteSpectre(rows);
        else
            Console.Write(Report.PlainTable(rows));
        Console.WriteLine("ratio = peer time / our time (>1: Polymath faster); times are medians per op.");
        return 0;
    }

    /// <summary>1-minute load average from /proc/loadavg (Linux), or null.</summary>
    internal static double? LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.TryParse(text.Split(' ')[0], System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void WriteSpectre(IReadOnlyList<BenchRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("name");
        table.AddColumn(new TableColumn("ours").RightAligned());
        table.AddColumn(new TableColumn("torch").RightAligned());
        table.AddColumn(new TableColumn("ratio").RightAligned());
        table.AddColumn("extra figures");
        foreach (var row in rows)
        {
            var cells = Report.Cells(row);
            string ratio = Markup.Escape(cells[3]);
            if (row.Ratio is double r)
                ratio = r >= 1 ? $"[green]{ratio}[/]" : $"[yellow]{ratio}[/]";
            table.AddRow(Markup.Escape(cells[0]), Markup.Escape(cells[1]), Markup.Escape(cells[2]), ratio, Markup.Escape(cells[4]));
        }
        AnsiConsole.Write(table);
        foreach (string n in Report.Notes(rows))
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(n)}[/]");
    }
}
