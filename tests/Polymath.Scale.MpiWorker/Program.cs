using System.Globalization;
using Polymath.Scale.Distributed;
using Polymath.Scale.MpiWorker;
using Polymath.Training;

// The process the MPI tests start under `mpirun -np N`. Each mode checks one contract and exits 0 when it holds;
// a failure prints "rank R: ..." on standard error and exits 1.
var inv = CultureInfo.InvariantCulture;
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Polymath.Scale.MpiWorker allreduce | ddp B EPOCHS OUT [OVERLAP BUCKET_MB] | crash CHECKPOINT | stall | stall-inline | mismatch");
    return 2;
}
MpiCommunicator? comm = null;
try
{
    comm = new MpiCommunicator();
    switch (args[0])
    {
        case "allreduce":
            Checks.AllReduce(comm);
            Console.WriteLine($"rank {comm.Rank}: thread level {comm.ThreadLevel}, inline collectives {(comm.InlineEnabled ? "on" : "off")} up to {comm.InlineMaxBytes} bytes");
            break;
        case "ddp":
        {
            int batch = int.Parse(args[1], inv), epochs = int.Parse(args[2], inv);
            var options = new DdpOptions
            {
                Overlap = args.Length <= 4 || args[4] != "0",
                BucketCapMB = args.Length > 5 ? double.Parse(args[5], inv) : 25,
            };
            var w = Recipe.TrainDistributed(comm, batch, epochs, options);
            // Every rank must end with the same weights: gather a checksum-free copy and compare bit for bit.
            var all = comm.AllGather(w);
            for (int r = 1; r < comm.Size; r++)
                for (int i = 0; i < w.Length; i++)
                    if (BitConverter.SingleToInt32Bits(all[r * w.Length + i]) != BitConverter.SingleToInt32Bits(all[i]))
                        throw new InvalidOperationException($"replica of rank {r} differs from rank 0 at weight {i}: {all[r * w.Length + i]} vs {all[i]}.");
            if (comm.Rank == 0)
            {
                var bytes = new byte[w.Length * 4];
                Buffer.BlockCopy(w, 0, bytes, 0, bytes.Length);
                File.WriteAllBytes(args[3], bytes);
            }
            break;
        }
        case "crash":
        {
            // Rank 0 checkpoints after every step (atomically); rank 1 dies before step 5.
            string path = args[1];
            Recipe.TrainDistributed(comm, 96 / (4 * comm.Size), 2,
                onStep: (_, step) =>
                {
                    if (comm.Rank == 1 && step == 5)
                    {
                        Console.Error.WriteLine("rank 1: injected crash before step 5");
                        Environment.Exit(3);
                    }
                },
                afterStep: (model, opt, step) =>
                {
                    if (comm.Rank == 0)
                        Checkpoint.Save(path, model, opt, null, new CheckpointInfo { Step = step });
                });
            break;
        }
        case "stall":
            // Rank 1 stops calling collectives (alive but stuck); the others must give up after POLYMATH_DIST_TIMEOUT.
            Recipe.TrainDistributed(comm, 96 / (4 * comm.Size), 2, onStep: (_, step) =>
            {
                if (comm.Rank == 1 && step == 2)
                    Thread.Sleep(Timeout.Infinite);
            });
            break;
        case "stall-inline":
        {
            // Rank 1 stops before a small all-reduce, which rank 0 runs on its own thread (nothing queued): the
            // deadline of the inline wait must fire like the queued one's.
            var x = new float[] { comm.Rank };
            comm.AllReduce(x);
            if (comm.Rank == 1)
                Thread.Sleep(Timeout.Infinite);
            comm.AllReduce(x);
            break;
        }
        case "mismatch":
            // Rank 1 builds a wider hidden layer than the others.
            Recipe.TrainDistributed(comm, 12, 1, hidden: 20);
            break;
        default:
            throw new ArgumentException($"unknown mode '{args[0]}'.");
    }
    Console.WriteLine($"rank {comm.Rank} of {comm.Size}: {args[0]} OK");
    comm.Dispose();
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"rank {comm?.Rank.ToString(inv) ?? "?"}: {e.GetType().Name}: {e.Message}");
    bool broken = comm?.FailureReason is not null;
    comm?.Dispose();
    // After a timeout the transport may be stuck: leave without MPI_Finalize so that mpirun ends the job.
    if (broken)
        Environment.Exit(1);
    return 1;
}
