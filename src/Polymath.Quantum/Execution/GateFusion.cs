using System.Numerics;

namespace Polymath.Quantum;

/// <summary>One gate to run: <see cref="Matrix"/> on <see cref="Targets"/> (little-endian in them) where all <see cref="Controls"/> are 1.</summary>
internal sealed record GateOp(int[] Targets, int[] Controls, Complex[,] Matrix)
{
    /// <summary>Every qubit the op touches, targets first.</summary>
    public int[] Qubits => [.. Targets, .. Controls];

    /// <summary>The op from a gate on circuit qubits: a controlled gate keeps its controls so it runs on the controlled kernels.</summary>
    public static GateOp FromGate(Gate gate, IReadOnlyList<int> qubits) => gate is ControlledGate cg
        ? new GateOp([.. qubits.Skip(cg.NumControls)], [.. qubits.Take(cg.NumControls)], cg.BaseGate.Matrix)
        : new GateOp([.. qubits], [], gate.Matrix);

    /// <summary>The full matrix over <paramref name="qubits"/> (which must hold exactly this op's qubits), controls expanded.</summary>
    public Complex[,] FullMatrix(int[] qubits)
    {
        int n = qubits.Length, d = 1 << n;
        int Bit(int q) => Array.IndexOf(qubits, q);
        int[] tBits = Targets.Select(Bit).ToArray();
        int controlMask = Controls.Aggregate(0, (m, q) => m | 1 << Bit(q));
        int Sub(int i) { int s = 0; for (int j = 0; j < tBits.Length; j++) s |= (i >> tBits[j] & 1) << j; return s; }
        int targetMask = tBits.Aggregate(0, (m, b) => m | 1 << b);
        var full = new Complex[d, d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
            {
                if ((r & ~targetMask) != (c & ~targetMask)) continue;
                bool active = (r & controlMask) == controlMask;
                full[r, c] = active ? Matrix[Sub(r), Sub(c)] : (Sub(r) == Sub(c) ? Complex.One : Complex.Zero);
            }
        return full;
    }
}

/// <summary>
/// Merges gates so fewer passes sweep the state: runs of single-qubit gates on one qubit become one 2×2, and
/// single-qubit gates next to a two-qubit gate (before or after it) and consecutive two-qubit gates on the same
/// pair are multiplied into one 4×4. The product is exact in float64, global phase included.
/// </summary>
internal static class GateFusion
{
    public static List<GateOp> Fuse(IEnumerable<GateOp> ops, int numQubits)
    {
        var output = new List<GateOp>();
        var pending = new Complex[numQubits][,];   // single-qubit product waiting on each qubit
        var lastTouch = new int[numQubits];         // index in output of the last op on each qubit
        Array.Fill(lastTouch, -1);

        void Emit(GateOp op)
        {
            output.Add(op);
            foreach (int q in op.Qubits) lastTouch[q] = output.Count - 1;
        }
        void Flush(int q)
        {
            if (pending[q] is null) return;
            Emit(new GateOp([q], [], pending[q]));
            pending[q] = null!;
        }

        foreach (var op in ops)
        {
            int[] qs = op.Qubits;
            if (qs.Length == 1)
            {
                int q = qs[0];
                if (pending[q] is not null) { pending[q] = MatrixUtil.Multiply(op.Matrix, pending[q]); continue; }
                int j = lastTouch[q];
                if (j >= 0 && output[j].Qubits.Length == 2 && output[j].Qubits.All(x => lastTouch[x] == j))
                {
                    int[] pair = [.. output[j].Qubits.Order()];
                    output[j] = new GateOp(pair, [], MatrixUtil.Multiply(OnPair(op.Matrix, q, pair), output[j].FullMatrix(pair)));
                    continue;
                }
                pending[q] = op.Matrix;
                continue;
            }
            if (qs.Length == 2)
            {
                int[] pair = [.. qs.Order()];
                var m = op.FullMatrix(pair);
                bool absorbed = false;
                foreach (int q in pair)
                {
                    if (pending[q] is null) continue;
                    m = MatrixUtil.Multiply(m, OnPair(pending[q], q, pair));
                    pending[q] = null!;
                    absorbed = true;
                }
                int j = lastTouch[pair[0]];
                if (j >= 0 && j == lastTouch[pair[1]] && output[j].Qubits.Length == 2)
                {
                    output[j] = new GateOp(pair, [], MatrixUtil.Multiply(m, output[j].FullMatrix(pair)));
                    continue;
                }
                Emit(absorbed ? new GateOp(pair, [], m) : op);
                continue;
            }
            foreach (int q in qs) Flush(q);
            Emit(op);
        }
        for (int q = 0; q < numQubits; q++) Flush(q);
        return output;
    }

    /// <summary>
    /// Merges consecutive ops that touch only qubits at or above <paramref name="minQubit"/> (each of which costs a full
    /// sweep of memory) into one op on the union of their qubits: up to 2 qubits for any matrices (a 4×4 sweep costs
    /// about what one 2×2 sweep does, so two sweeps become one; an 8×8 was measured compute-bound at about three
    /// sweeps' time, no gain), up to 4 when the product stays monomial (permutations and phases cost one move per
    /// amplitude). Exact (float64 products).
    /// </summary>
    public static List<GateOp> MergeHighQubitOps(List<GateOp> ops, int minQubit)
    {
        var result = new List<GateOp>();
        foreach (var op in ops)
        {
            if (result.Count > 0 && op.Qubits.Min() >= minQubit && result[^1].Qubits.Min() >= minQubit)
            {
                var last = result[^1];
                int[] union = [.. last.Qubits.Union(op.Qubits).Order()];
                if (union.Length <= 4)
                {
                    var merged = MatrixUtil.Multiply(op.FullMatrix(union), last.FullMatrix(union));
                    if (union.Length <= 2 || IsMonomial(merged))
                    {
                        result[^1] = new GateOp(union, [], merged);
                        continue;
                    }
                }
            }
            result.Add(op);
        }
        return result;
    }

    private static bool IsMonomial(Complex[,] m)
    {
        int d = m.GetLength(0);
        var used = new bool[d];
        for (int r = 0; r < d; r++)
        {
            int count = 0;
            for (int c = 0; c < d; c++)
            {
                if (m[r, c] == Complex.Zero) continue;
                if (++count > 1 || used[c]) return false;
                used[c] = true;
            }
            if (count != 1) return false;
        }
        return true;
    }

    /// <summary>A 2×2 on <paramref name="q"/> as a 4×4 over <paramref name="pair"/> (pair[0] is bit 0).</summary>
    private static Complex[,] OnPair(Complex[,] u, int q, int[] pair)
    {
        var m = new Complex[4, 4];
        int bit = q == pair[0] ? 0 : 1, other = 1 - bit;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                if ((r >> other & 1) == (c >> other & 1)) m[r, c] = u[r >> bit & 1, c >> bit & 1];
        return m;
    }
}
