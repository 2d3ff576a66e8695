using System.Globalization;
using Spectre.Console;

namespace Polymath.Cli;

/// <summary>Progress of the demo's stages: Spectre.Console bars on a terminal, plain lines when output is redirected.</summary>
internal abstract class StageProgress
{
    /// <summary>Starts a stage of <paramref name="total"/> units; report done units to the returned sink.</summary>
    public abstract IProgress<long> Begin(string stage, long total);

    /// <summary>Marks the stage finished with a one-line result.</summary>
    public abstract void End(string stage, string result);

    /// <summary>Runs <paramref name="body"/> with bars when standard error is an ANSI terminal, else with plain lines on standard output.</summary>
    public static T Run<T>(bool plain, Func<StageProgress, T> body)
    {
        if (plain || Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Ansi)
            return body(new Lines(Console.Out));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => result = body(new Bars(ctx)));
        return result;
    }

    /// <summary>A line at every tenth of a stage.</summary>
    private sealed class Lines(TextWriter writer) : StageProgress
    {
        public override IProgress<long> Begin(string stage, long total)
        {
            writer.WriteLine($"{stage} ...");
            long nextTenth = 1;
            var start = DateTime.UtcNow;
            return new Sink(done =>
            {
                if (total <= 0 || done * 10 < nextTenth * total) return;
                nextTenth = done * 10 / total + 1;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage}: {done}/{total} ({100.0 * done / total:F0}%, {(DateTime.UtcNow - start).TotalSeconds:F1} s)"));
            });
        }

        public override void End(string stage, string result) => writer.WriteLine($"{stage}: {result}");
    }

    /// <summary>One Spectre task per stage; its description becomes the result when it ends.</summary>
    private sealed class Bars(ProgressContext context) : StageProgress
    {
        private readonly Dictionary<string, ProgressTask> _tasks = [];

        public override IProgress<long> Begin(string stage, long total)
        {
            var task = context.AddTask(Markup.Escape(stage), maxValue: Math.Max(1, total));
            _tasks[stage] = task;
            return new Sink(done => task.Value = done);
        }

        public override void End(string stage, string result)
        {
            if (!_tasks.TryGetValue(stage, out var task)) return;
            task.Value = task.MaxValue;
            task.Description = Markup.Escape($"{stage}: {result}");
            task.StopTask();
        }
    }

    /// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; would post to the thread pool and arrive late).</summary>
    private sealed class Sink(Action<long> report) : IProgress<long>
    {
        private readonly Lock _gate = new();

        public void Report(long value)
        {
            lock (_gate) report(value);
        }
    }
}
