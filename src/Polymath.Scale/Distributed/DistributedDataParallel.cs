using System.Globalization;
using Polymath.NN;

namespace Polymath.Scale.Distributed;

/// <summary>Settings of <see cref="DistributedDataParallel"/>.</summary>
public sealed class DdpOptions
{
    /// <summary>Gradient bytes per bucket (PyTorch's <c>bucket_cap_mb</c>, 25 MB by default): one all-reduce per bucket.</summary>
    public double BucketCapMB { get; set; } = 25;

    /// <summary>
    /// Start each bucket's all-reduce as soon as its gradients are ready, while the backward pass goes on (true), or
    /// reduce every bucket after the backward pass (false, for measuring what the overlap buys).
    /// </summary>
    public bool Overlap { get; set; } = true;
}

/// <summary>
/// Data-parallel training (PyTorch's <c>DistributedDataParallel</c>): every rank holds a replica of the model and
/// trains on its own shard of each batch (see <see cref="DistributedSampler"/>); after each backward pass every
/// rank's gradients are the mean over all ranks, so the optimizers take identical steps and the replicas stay equal.
/// </summary>
/// <remarks>
/// <para>At construction the ranks check that their models have the same parameters (names, shapes, dtypes) and copy
/// rank 0's parameters and buffers to every rank.</para>
/// <para>Gradients are averaged with bucketed all-reduce overlapped with the backward pass: a post-accumulate hook on
/// every parameter (<see cref="Tensor.RegisterPostAccumulateGradHook"/>) marks its gradient ready; when a bucket is
/// full it is copied into a flat buffer and its all-reduce starts on the communicator's thread while autograd computes
/// the remaining gradients; the hook of the last parameter waits for the buckets and writes the means back into
/// <see cref="Tensor.Grad"/>, so when <c>Backward()</c> returns the gradients are synchronised. Buckets follow the
/// order in which the first backward pass produced the gradients (rank 0's order, so all ranks agree); that first pass
/// reduces everything at its end.</para>
/// <para>The synchronisation is driven by the parameters' hooks, so the wrapped module may also be called directly
/// (e.g. by a trainer that checkpoints <see cref="Module"/> with its own parameter names). Every parameter that requires
/// grad must receive a gradient in every backward pass (a parameter left out would leave the pass unfinished; the next
/// pass then fails naming it). Gradient accumulation works as is (each backward adds the mean of the new
/// contributions); <see cref="NoSync"/> skips the communication of all but the last micro-batch.</para>
/// </remarks>
public sealed class DistributedDataParallel : Module<Tensor, Tensor>, IDisposable
{
    private readonly Module<Tensor, Tensor> _module;
    private readonly ICommunicator _comm;
    private readonly DdpOptions _options;
    private readonly Tensor[] _params;
    private readonly string[] _names;
    private readonly List<IDisposable> _hooks = [];
    private readonly bool[] _ready;
    private int _readyCount;
    private readonly List<int> _observed = [];
    private Bucket[]? _buckets;
    private int[] _bucketOf = [];
    private int[] _bucketPending = [];
    private int _nextLaunch;
    private readonly List<(Bucket Bucket, CommRequest Request)> _inflight = [];
    private bool _noSync;

    /// <summary>Wraps <paramref name="module"/>; a collective: every rank must construct it at the same point.</summary>
    /// <exception cref="CommunicatorException">The ranks' models differ (the message says how), or a collective failed.</exception>
    public DistributedDataParallel(Module<Tensor, Tensor> module, ICommunicator comm, DdpOptions? options = null)
    {
        _module = RegisterModule("module", module ?? throw new ArgumentNullException(nameof(module)));
        _comm = comm ?? throw new ArgumentNullException(nameof(comm));
        _options = options ?? new DdpOptions();
        if (!(_options.BucketCapMB > 0))
            throw new ArgumentOutOfRangeException(nameof(options), $"DistributedDataParallel: BucketCapMB must be positive, got {_options.BucketCapMB}.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var named = module.NamedParameters().Where(p => p.Parameter.RequiresGrad && seen.Add(p.Parameter)).ToArray();
        _params = named.Select(p => p.Parameter).ToArray();
        _names = named.Select(p => p.Name).ToArray();
        foreach (var p in _params)
            if (p.DType is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"DistributedDataParallel: parameter of dtype {p.DType} is not supported (float32 and float64 are).");
        _ready = new bool[_params.Length];
        CheckSameModel();
        BroadcastState();
        for (int i = 0; i < _params.Length; i++)
        {
            int index = i;
            _hooks.Add(_params[i].RegisterPostAccumulateGradHook(_ => OnGradReady(index)));
        }
    }

    /// <summary>The wrapped model (save this one: its state dict has no "module." prefix).</summary>
    public Module<Tensor, Tensor> Module => _module;

    /// <summary>The communicator the gradients travel through.</summary>
    public ICommunicator Communicator => _comm;

    /// <summary>Number of all-reduce buckets (null before the first backward pass has fixed them).</summary>
    public int? BucketCount => _buckets?.Length;

    /// <summary>Gradient all-reduces completed so far (one per bucket per synchronised backward pass).</summary>
    public long AllReduceCount { get; private set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => _module.Call(input);

    /// <summary>
    /// Within the returned scope backward passes only accumulate local gradients (no communication); the first
    /// backward pass after it averages everything accumulated (PyTorch's <c>no_sync</c>).
    /// </summary>
    public IDisposable NoSync()
    {
        if (_readyCount != 0)
            throw new InvalidOperationException("DistributedDataParallel.NoSync: a backward pass is only partly synchronised; call it between backward passes.");
        _noSync = true;
        return new Scope(() => _noSync = false);
    }

    private void CheckSameModel()
    {
        long numel = _params.Sum(p => p.Numel);
        // FNV-1a over names, shapes and dtypes: equal on every rank exactly when the replicas have the same parameters.
        ulong h = 14695981039346656037UL;
        foreach (var (name, p) in _names.Zip(_params))
            foreach (char c in $"{name}:{string.Join('x', p.Shape)}:{p.DType};")
                h = (h ^ c) * 1099511628211UL;
        var all = _comm.AllGather([(long)_params.Length, numel, (long)h]);
        for (int r = 1; r < _comm.Size; r++)
            if (all[3 * r] != all[0] || all[3 * r + 1] != all[1] || all[3 * r + 2] != all[2])
                throw new CommunicatorException(
                    $"DistributedDataParallel: the replicas differ: rank 0 has {all[0]} parameters with {all[1]:N0} elements, rank {r} has {all[3 * r]} with {all[3 * r + 1]:N0}" +
                    (all[3 * r] == all[0] && all[3 * r + 1] == all[1] ? " (same counts, but the names, shapes or dtypes differ)" : "") +
                    "; every rank must build the same model.");
    }

    /// <summary>Copies rank 0's parameters and buffers to every rank (also done at construction).</summary>
    public void BroadcastState()
    {
        using var _ = Tensor.NoGrad();
        foreach (var (name, t) in _module.StateDict())
        {
            switch (t.DType)
            {
                case DType.Float32:
                    var f = t.ToArray<float>();
                    _comm.Broadcast(f);
                    t.CopyFrom(Tensor.From(f, t.Shape));
                    break;
                case DType.Float64:
                    var d = t.ToArray<double>();
                    _comm.Broadcast(d);
                    t.CopyFrom(Tensor.From(d, t.Shape));
                    break;
                case DType.Int64:
                    var l = t.ToArray<long>();
                    _comm.Broadcast(l);
                    t.CopyFrom(Tensor.From(l, t.Shape));
                    break;
                default:
                    throw new ArgumentException($"DistributedDataParallel: state entry '{name}' has dtype {t.DType}, which cannot be broadcast.");
            }
        }
    }

    private void OnGradReady(int i)
    {
        if (_noSync)
            return;
        if (_ready[i])
        {
            var missing = Enumerable.Range(0, _params.Length).Where(j => !_ready[j]).Select(j => _names[j]).ToList();
            throw new InvalidOperationException(
                $"DistributedDataParallel: parameter '{_names[i]}' received a gradient again before the previous backward pass finished " +
                $"synchronising; these parameters got no gradient in that pass: {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}. " +
                "Every parameter that requires grad must take part in every backward pass (freeze unused ones with RequiresGrad = false).");
        }
        _ready[i] = true;
        _readyCount++;
        if (_buckets is null)
            _observed.Add(i);
        else if (--_bucketPending[_bucketOf[i]] == 0 && _options.Overlap)
            LaunchFilled();
        if (_readyCount == _params.Length)
            FinishPass();
    }

    // Buckets start in index order on every rank (MPI requires the same collective order everywhere).
    private void LaunchFilled()
    {
        while (_nextLaunch < _buckets!.Length && _bucketPending[_nextLaunch] == 0)
        {
            var b = _buckets[_nextLaunch++];
            b.Gather(_params);
            _inflight.Add((b, b.Start(_comm)));
        }
    }

    private void FinishPass()
    {
        if (_buckets is null)
            BuildBuckets();
        LaunchFilled();
        double scale = 1.0 / _comm.Size;
        foreach (var (bucket, request) in _inflight)
        {
            request.Wait();
            bucket.Scatter(_params, scale);
            AllReduceCount++;
        }
        _inflight.Clear();
        Array.Clear(_ready);
        _readyCount = 0;
        _nextLaunch = 0;
        for (int k = 0; k < _buckets!.Length; k++)
            _bucketPending[k] = _buckets[k].Members.Count;
    }

    private void BuildBuckets()
    {
        // Rank 0's observed order, so that every rank cuts the same buckets even if their graphs were walked differently.
        var order = _observed.ToArray();
        _comm.Broadcast(order);
        long cap = Math.Max(1, (long)(_options.BucketCapMB * 1024 * 1024));
        var buckets = new List<Bucket>();
        Bucket? current = null;
        _bucketOf = new int[_params.Length];
        foreach (int i in order)
        {
            var p = _params[i];
            long bytes = p.Numel * (p.DType == DType.Float32 ? 4 : 8);
            if (current is null || current.DType != p.DType || (current.Bytes > 0 && current.Bytes + bytes > cap))
            {
                current = new Bucket(p.DType);
                buckets.Add(current);
            }
            current.Add(i, p);
            _bucketOf[i] = buckets.Count - 1;
        }
        foreach (var b in buckets)
            b.Allocate(_params);
        _buckets = [.. buckets];
        _bucketPending = new int[_buckets.Length]; // every gradient of this first pass is ready
    }

    /// <summary>Removes the gradient hooks (the wrapped model trains locally afterwards).</summary>
    public void Dispose()
    {
        foreach (var h in _hooks)
            h.Dispose();
        _hooks.Clear();
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        string.Create(CultureInfo.InvariantCulture, $"world_size={_comm.Size}, rank={_comm.Rank}, backend={_comm.Backend}, bucket_cap_mb={_options.BucketCapMB}, overlap={_options.Overlap}");

    private sealed class Scope(Action end) : IDisposable
    {
        private Action? _end = end;

        public void Dispose()
        {
            _end?.Invoke();
            _end = null;
        }
    }

    /// <summary>A flat buffer holding several parameters' gradients for one all-reduce.</summary>
    private sealed class Bucket(DType dtype)
    {
        public DType DType { get; } = dtype;
        public List<(int Index, long Offset)> Members { get; } = [];
        public long Bytes { get; private set; }
        private long _elements;
        private float[]? _f;
        private double[]? _d;
        private Tensor[] _views = [];

        public void Add(int index, Tensor p)
        {
            Members.Add((index, _elements));
            _elements += p.Numel;
            Bytes += p.Numel * (DType == DType.Float32 ? 4 : 8);
        }

        public void Allocate(Tensor[] parameters)
        {
            if (_elements > int.MaxValue)
                throw new InvalidOperationException($"DistributedDataParallel: a bucket of {_elements} elements is too large; lower BucketCapMB.");
            if (DType == DType.Float32)
            {
                // Views of one flat array: copying a gradient in or out is a tensor copy, the all-reduce sees the array.
                _f = new float[_elements];
                var flat = Tensor.Wrap(_f, (int)_elements);
                _views = Members.Select(m => flat.Narrow(0, m.Offset, (int)parameters[m.Index].Numel).View(parameters[m.Index].Shape)).ToArray();
            }
            else
                _d = new double[_elements];
        }

        public void Gather(Tensor[] parameters)
        {
            for (int k = 0; k < Members.Count; k++)
            {
                var (index, offset) = Members[k];
                var g = parameters[index].Grad!;
                if (_f is not null)
                    _views[k].CopyFrom(g);
                else
                    g.ToArray<double>().CopyTo(_d!, offset);
            }
        }

        public CommRequest Start(ICommunicator comm) =>
            _f is not null ? comm.AllReduceAsync(_f, 0, _f.Length) : comm.AllReduceAsync(_d!, 0, _d!.Length);

        public void Scatter(Tensor[] parameters, double scale)
        {
            if (_f is not null)
            {
                float s = (float)scale;
                for (int i = 0; i < _f.Length; i++)
                    _f[i] *= s;
            }
            else
                for (int i = 0; i < _d!.Length; i++)
                    _d[i] *= scale;
            for (int k = 0; k < Members.Count; k++)
            {
                var (index, offset) = Members[k];
                var p = parameters[index];
                if (_f is not null)
                    p.Grad!.CopyFrom(_views[k]);
                else
                    p.Grad!.CopyFrom(Tensor.From(_d.AsSpan((int)offset, (int)p.Numel).ToArray(), p.Shape));
            }
        }
    }
}
