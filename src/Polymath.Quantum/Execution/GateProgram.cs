using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// A run of gates compiled for one state size and precision: fused (<see cref="GateFusion"/>), each given its
/// kernel, and grouped so that consecutive gates on low qubits run together block by block while the block is
/// in cache (one sweep of memory for the whole group instead of one per gate). Gates on high qubits sweep the
/// state on their own.
/// </summary>
internal sealed unsafe class GateProgram<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(CompiledGate<T>[] Gates, bool Blocked)> _steps = [];
    private readonly int _numQubits;
    private readonly int _blockQubits;

    /// <summary>Qubits per cache block: 2^15 complex128 (512 KiB) or 2^16 complex64 fit a core's L2 with room to spare.</summary>
    internal static int DefaultBlockQubits =>
        int.TryParse(Environment.GetEnvironmentVariable("POLYMATH_QUANTUM_BLOCK_QUBITS"), out int b) && b >= 4
            ? b
            : typeof(T) == typeof(double) ? 15 : 16;

    /// <summary>Compiles <paramref name="ops"/> for an <paramref name="numQubits"/>-qubit state; <paramref name="blockQubits"/> overrides the cache block size (tests).</summary>
    public GateProgram(IEnumerable<GateOp> ops, int numQubits, bool fuse = true, int? blockQubits = null)
    {
        _numQubits = numQubits;
        _blockQubits = Math.Min(numQubits, blockQubits ?? DefaultBlockQubits);
        var list = fuse ? GateFusion.MergeHighQubitOps(GateFusion.Fuse(ops, numQubits), _blockQubits) : ops.ToList();
        var group = new List<CompiledGate<T>>();
        for (int i = 0; i < list.Count; i++)
        {
            // Two or more diagonal gates in a row, reaching above the cache block: one sweep for all of them.
            int end = i;
            while (end < list.Count && DiagonalRun<T>.CanJoin(list[end], numQubits)) end++;
            if (end - i >= 2 && list.Skip(i).Take(end - i).Any(o => o.Qubits.Max() >= _blockQubits))
            {
                CloseGroup(group);
                _steps.Add(([new DiagonalRun<T>(list.GetRange(i, end - i), numQubits)], false));
                i = end - 1;
                continue;
            }
            // The same inside cache blocks: a block is a state of _blockQubits qubits to the gates it holds.
            int endLow = i;
            while (endLow < list.Count && list[endLow].Qubits.Max() < _blockQubits && DiagonalRun<T>.CanJoin(list[endLow], _blockQubits)) endLow++;
            if (endLow - i >= 3 && numQubits > _blockQubits)
            {
                group.Add(new DiagonalRun<T>(list.GetRange(i, endLow - i), _blockQubits));
                i = endLow - 1;
                continue;
            }
            var op = list[i];
            var g = CompiledGate<T>.Compile(op.Targets, op.Controls, op.Matrix);
            if (g is null) continue;
            if (g.MaxQubit < _blockQubits && numQubits > _blockQubits) { group.Add(g); continue; }
            CloseGroup(group);
            _steps.Add(([g], false));
        }
        CloseGroup(group);
        GateCount = list.Count;
    }

    /// <summary>Gates after fusion.</summary>
    public int GateCount { get; }

    /// <summary>Steps that are diagonal runs (several diagonal gates in one sweep).</summary>
    public int DiagonalRuns => _steps.Count(st => st.Gates[0] is DiagonalRun<T>);

    /// <summary>Full sweeps of the state one execution makes.</summary>
    public int Sweeps => _steps.Count;

    private void CloseGroup(List<CompiledGate<T>> group)
    {
        if (group.Count == 0) return;
        _steps.Add(([.. group], group.Count > 1));
        group.Clear();
    }

    /// <summary>Runs the program on the amplitudes at <paramref name="amp"/>.</summary>
    public void Execute(T* amp)
    {
        foreach (var (gates, blocked) in _steps)
        {
            if (!blocked)
            {
                foreach (var g in gates) g.Execute(amp, _numQubits, parallel: true);
                continue;
            }
            int b = _blockQubits;
            long blocks = 1L << (_numQubits - b);
            nint basePtr = (nint)amp;
            QuantumThreads.For(blocks, 1, 1, (b0, b1) =>
            {
                for (long blk = b0; blk < b1; blk++)
                {
                    T* block = (T*)basePtr + 2 * (blk << b);
                    foreach (var g in gates) g.Execute(block, b, parallel: false);
                }
            });
        }
    }
}
