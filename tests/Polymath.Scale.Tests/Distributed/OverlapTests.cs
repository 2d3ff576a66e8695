using System.Numerics;
using Polymath.Models;
using Polymath.NN;
using Polymath.Scale.Distributed;
using Xunit;

namespace Polymath.Scale.Tests.Distributed;

/// <summary>When DDP starts its all-reduces, what NoSync skips, and the unused-parameter error.</summary>
public sealed class OverlapTests
{
    /// <summary>A group of one that records, for every all-reduce started, how many parameters had a gradient then.</summary>
    private sealed class Spy(ICommunicator inner, Func<int> gradsReady) : ICommunicator
    {
        public List<int> ReadyAtLaunch { get; } = [];
        public int Rank => inner.Rank;
        public int Size => inner.Size;
        public string Backend => "spy";
        public TimeSpan Timeout { get => inner.Timeout; set => inner.Timeout = value; }
        public void AllReduce<T>(T[] buffer, int offset, int count, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T> => inner.AllReduce(buffer, offset, count, op);
        public CommRequest AllReduceAsync<T>(T[] buffer, int offset, int count, ReduceOp op = ReduceOp.Sum) where T : unmanaged, INumber<T>
        {
            ReadyAtLaunch.Add(gradsReady());
            return inner.AllReduceAsync(buffer, offset, count, op);
        }
        public void Broadcast<T>(T[] buffer, int offset, int count, int root = 0) where T : unmanaged => inner.Broadcast(buffer, offset, count, root);
        public T[] AllGather<T>(T[] send) where T : unmanaged => inner.AllGather(send);
        public void Barrier() => inner.Barrier();
        public void Dispose() => inner.Dispose();
    }

    private static (Mlp Model, Tensor X, Tensor Y) Setup() =>
        (new Mlp(12, [16, 16], 3, new Generator(3)), Tensor.Randn([8, 12], DType.Float32, new Generator(4)), Tensor.From(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 }, 8));

    [Fact]
    public void BucketsStartWhileTheBackwardPassStillRuns()
    {
        var (model, x, y) = Setup();
        using var spy = new Spy(new LocalCommunicator(), () => model.Parameters().Count(p => p.Grad is not null));
        using var ddp = new DistributedDataParallel(model, spy, new DdpOptions { BucketCapMB = 1e-6 }); // one parameter per bucket
        var loss = new CrossEntropyLoss();
        loss.Call(ddp.Call(x), y).Backward(); // first pass: observes the order, reduces at the end
        Assert.Equal(6, ddp.BucketCount);
        Assert.All(spy.ReadyAtLaunch, n => Assert.Equal(6, n));
        spy.ReadyAtLaunch.Clear();
        model.ZeroGrad();
        loss.Call(ddp.Call(x), y).Backward();
        Assert.Equal(6, spy.ReadyAtLaunch.Count);
        Assert.Equal(1, spy.ReadyAtLaunch[0]);            // the first bucket left as soon as its one gradient existed
        Assert.Equal([1, 2, 3, 4, 5, 6], spy.ReadyAtLaunch); // and each next one as soon as it filled
        Assert.Equal(12, ddp.AllReduceCount);

        // Without overlap every bucket waits for the end of the pass.
        var (m2, _, _) = Setup();
        using var spy2 = new Spy(new LocalCommunicator(), () => m2.Parameters().Count(p => p.Grad is not null));
        using var late = new DistributedDataParallel(m2, spy2, new DdpOptions { BucketCapMB = 1e-6, Overlap = false });
        for (int i = 0; i < 2; i++)
        {
            m2.ZeroGrad();
            loss.Call(late.Call(x), y).Backward();
        }
        Assert.All(spy2.ReadyAtLaunch, n => Assert.Equal(6, n));
    }

    [Fact]
    public void NoSyncSkipsCommunicationAndTheNextPassReducesTheSum()
    {
        var (model, x, y) = Setup();
        using var comm = new LocalCommunicator();
        using var ddp = new DistributedDataParallel(model, comm);
        var loss = new CrossEntropyLoss();
        using (ddp.NoSync())
            loss.Call(ddp.Call(x), y).Backward();
        Assert.Equal(0, ddp.AllReduceCount);
        loss.Call(ddp.Call(x), y).Backward();
        Assert.Equal(1, ddp.AllReduceCount);
        // A group of one averages over one rank: the gradient is twice the single-pass gradient.
        var (reference, _, _) = Setup();
        loss.Call(reference.Call(x), y).Backward();
        var a = model.Parameters().SelectMany(p => p.Grad!.ToArray<float>());
        var b = reference.Parameters().SelectMany(p => p.Grad!.ToArray<float>());
        Assert.True(a.Zip(b, (u, v) => Math.Abs(u - 2 * v)).Max() < 1e-6);
    }

    [Fact]
    public void AParameterWithoutGradientIsNamedOnTheNextPass()
    {
        var a = new Linear(4, 4, generator: new Generator(1));
        var unused = new Linear(4, 4, generator: new Generator(2));
        var holder = new Sequential(a, unused); // both registered, only `a` used in the forward below
        using var comm = new LocalCommunicator();
        using var ddp = new DistributedDataParallel(new Wrapper(holder, a), comm);
        var x = Tensor.Randn([2, 4], DType.Float32, new Generator(5));
        ddp.Call(x).Sum().Backward();
        var e = Assert.Throws<InvalidOperationException>(() => ddp.Call(x).Sum().Backward());
        Assert.Contains("got no gradient in that pass: module.1.weight, module.1.bias", e.Message);
    }

    /// <summary>Registers <paramref name="all"/> but runs only <paramref name="used"/>.</summary>
    private sealed class Wrapper : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> _used;

        public Wrapper(Module<Tensor, Tensor> all, Module<Tensor, Tensor> used)
        {
            RegisterModule("module", all);
            _used = used;
        }

        public override Tensor Forward(Tensor input) => _used.Call(input);
    }
}
