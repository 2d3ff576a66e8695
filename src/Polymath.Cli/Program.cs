using System.Reflection;

namespace Polymath.Cli;

/// <summary>Entry point of the <c>polymath</c> command.</summary>
public static class Program
{
    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    public static int Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cts.IsCancellationRequested)
                return; // second Ctrl-C: let the runtime end the process
            e.Cancel = true;
            cts.Cancel();
            Console.Error.WriteLine("cancelling... (Ctrl-C again to quit at once)");
        };
        try
        {
            return Dispatch(args, cts.Token);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"polymath: {e.Message}");
            Console.Error.WriteLine(e.Command is null ? "Run 'polymath --help' for usage." : $"Run 'polymath {e.Command} --help' for usage.");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("polymath: cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"polymath: error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    internal static int Dispatch(string[] args, CancellationToken cancel)
    {
        // The main job: simulate the Ising model, publish to an embedded hub, learn the transition, report (issue 7).
        if (args.Length == 0)
            return DemoCommand.Run([], cancel);
        string first = args[0];
        var rest = args.Skip(1).ToArray();
        switch (first)
        {
            case "-h" or "--help" or "-?" or "help":
                if (first == "help" && rest.Length > 0)
                    return Help.Command(rest[0]) ? 0 : throw new UsageException($"unknown command '{rest[0]}'.");
                Help.Top();
                return 0;
            case "--version":
                Console.WriteLine(Version);
                return 0;
            case "demo":
                return DemoCommand.Run(rest, cancel);
            case "bench":
                return BenchCommand.Run(rest, cancel);
            case "train":
                return TrainCommand.Run(rest, cancel);
            case "pretrain":
                return PretrainCommand.Run(rest, cancel);
            case "generate":
                return GenerateCommand.Run(rest, cancel);
            case "eval":
                return EvalCommand.Run(rest, cancel);
            case "finetune":
                return FinetuneCommand.Run(rest, cancel);
            case "evaluate":
                return EvaluateCommand.Run(rest, cancel);
            case "predict":
                return PredictCommand.Run(rest, cancel);
            case "quantum":
                return QuantumCommand.Run(rest, cancel);
            case "hub":
                return HubCommand.Run(rest, cancel);
            case "learn":
                return LearnCommand.Run(rest, cancel);
            case "continual":
                return ContinualCommand.Run(rest, cancel);
            case "compress":
                return CompressCommand.Run(rest, cancel);
            case "translate":
                return TranslateCommand.Run(rest, cancel);
            case "run":
                return RunCommand.Run(rest, cancel);
            default:
                if (first.StartsWith('-'))
                    throw new UsageException($"unknown option '{first}'.");
                throw new UsageException($"unknown command '{first}'. Commands: demo, run, bench, train, pretrain, generate, finetune, evaluate, eval, predict, quantum, hub, learn, continual, compress, translate, help.");
        }
    }

    internal static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    internal static bool WantsHelp(string[] args) => args.Any(a => a is "-h" or "--help" or "-?");
}
