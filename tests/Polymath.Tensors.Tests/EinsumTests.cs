using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>
/// <see cref="Tensor.Einsum"/> against MatMul / Sum / Permute and against a plain loop over every index assignment,
/// forward and (by gradcheck) backward, including broadcast size-1 dims and non-contiguous operands; malformed
/// equations must throw an <see cref="ArgumentException"/> that says what is wrong.
/// </summary>
public sealed class EinsumTests(ITestOutputHelper output)
{
    /// <summary>float64 sums of ≤ 60 O(1) products in different orders (GEMM vs loop): ~1e-15 apart; 1e-12 is far from any bug.</summary>
    private const double Tol = 1e-12;

    private System.Random Rng(int seed)
    {
        output.WriteLine($"seed {seed}");
        return new System.Random(seed);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what = "")
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] e = expected.ToDoubleArray(), a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= Tol * Math.Max(1, Math.Abs(e[i])), $"{what} element {i}: {a[i]:R} vs {e[i]:R}");
    }

    [Fact]
    public void MatchesMatMulSumAndPermute()
    {
        var rng = Rng(1);
        var a = Rand(rng, [3, 4]);
        var b = Rand(rng, [4, 5]);
        var bt = Rand(rng, [2, 3, 4]);
        var bu = Rand(rng, [2, 4, 5]);
        var v = Rand(rng, [4]);
        var w = Rand(rng, [4]);
        AssertClose(a.MatMul(b), Tensor.Einsum("ij,jk->ik", a, b), "ij,jk->ik");
        AssertClose(a.MatMul(b), Tensor.Einsum("ij,jk", a, b), "implicit ij,jk");
        AssertClose(a.MatMul(b), Tensor.Einsum(" ij , jk -> ik ", a, b), "spaces");
        AssertClose(b.T.MatMul(a.T), Tensor.Einsum("ij,jk->ki", a, b), "ij,jk->ki");
        AssertClose(bt.MatMul(bu), Tensor.Einsum("bij,bjk->bik", bt, bu), "bij,bjk->bik");
        AssertClose(a.MatMul(v), Tensor.Einsum("ij,j->i", a, v), "ij,j->i");
        AssertClose((v * w).Sum(), Tensor.Einsum("i,i->", v, w), "i,i->");
        AssertClose(v.Unsqueeze(1) * w.Unsqueeze(0), Tensor.Einsum("i,j->ij", v, w), "i,j->ij");
        AssertClose(a.T, Tensor.Einsum("ij->ji", a), "ij->ji");
        AssertClose(a, Tensor.Einsum("ij", a), "implicit ij");
        AssertClose(a.T, Tensor.Einsum("ji", a), "implicit ji is alphabetical: ij");
        AssertClose(a.Sum(0), Tensor.Einsum("ij->j", a), "ij->j");
        AssertClose(a.Sum(), Tensor.Einsum("ij->", a), "ij->");
        AssertClose(bt.Permute(2, 0, 1), Tensor.Einsum("bij->jbi", bt), "bij->jbi");
        AssertClose(bt.Sum(1).T, Tensor.Einsum("bij->jb", bt), "bij->jb");
        AssertClose(a * a, Tensor.Einsum("ij,ij->ij", a, a), "hadamard");
        AssertClose(a.Sum(1) * v.Sum(), Tensor.Einsum("ij,k->i", a, v), "both sides summed first");
    }

    /// <summary>Random equations with two operands against a loop over every assignment of every subscript.</summary>
    [Theory]
    [InlineData("bhqd,bhkd->bhqk")]
    [InlineData("bqhd,bkhd->bhqk")]
    [InlineData("ij,kj->ik")]
    [InlineData("abc,cd->abd")]
    [InlineData("abc,cd->dba")]
    [InlineData("ijk,jl->li")]
    [InlineData("ab,cd->abcd")]
    [InlineData("ab,cb->")]
    [InlineData("abc,bca->b")]
    [InlineData("ij,jk")]
    [InlineData("xyz,zy")]
    [InlineData("ijk->kj")]
    [InlineData("abcd->db")]
    public void MatchesExplicitLoops(string equation)
    {
        int seed = FunctionalGradCheckTests.StableSeed(equation);
        var rng = Rng(seed);
        var (ins, outSubs) = Parse(equation);
        var letters = string.Concat(ins).Distinct().ToArray();
        var size = letters.ToDictionary(c => c, _ => rng.Next(1, 4));
        foreach (var layout in new[] { Layout.Contiguous, Layout.Transposed, Layout.Strided })
        {
            var ops = ins.Select(s => Rand(rng, s.Select(c => size[c]).ToArray(), layout)).ToArray();
            var actual = Tensor.Einsum(equation, ops);
            AssertClose(Loop(ins, outSubs, size, ops), actual, $"{equation} {layout}");
            string? failure = GradCheck.Check(x => Tensor.Einsum(equation, x), ops, seed);
            Assert.True(failure is null, $"{equation} {layout}: {failure}");
        }
    }

    [Fact]
    public void BroadcastsSizeOneDims()
    {
        var rng = Rng(5);
        var a = Rand(rng, [2, 1, 3]); // batch dim of size 1 against 4
        var b = Rand(rng, [2, 4, 3]);
        var y = Tensor.Einsum("bnd,bnd->bn", a, b);
        AssertClose((a * b).Sum(2), y, "bnd,bnd->bn with n broadcast");
        string? failure = GradCheck.Check(x => Tensor.Einsum("bnd,bnd->bn", x), [a, b], 5);
        Assert.True(failure is null, failure);
    }

    private static (string[] Inputs, string Output) Parse(string equation)
    {
        var sides = equation.Split("->");
        var ins = sides[0].Split(',');
        string output = sides.Length > 1 ? sides[1]
            : new string(string.Concat(ins).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).OrderBy(c => c).ToArray());
        return (ins, output);
    }

    private static Tensor Loop(string[] ins, string output, Dictionary<char, int> size, Tensor[] ops)
    {
        var letters = size.Keys.ToArray();
        var vals = ops.Select(o => o.Contiguous().ToDoubleArray()).ToArray();
        int[] outShape = output.Select(c => size[c]).ToArray();
        var result = new double[Numel(outShape)];
        var assign = new Dictionary<char, int>();
        void Rec(int k)
        {
            if (k == letters.Length)
            {
                double p = 1;
                for (int o = 0; o < ins.Length; o++)
                    p *= vals[o][Flat(ins[o], assign, size)];
                result[Flat(output, assign, size)] += p;
                return;
            }
            for (int v = 0; v < size[letters[k]]; v++)
            {
                assign[letters[k]] = v;
                Rec(k + 1);
            }
        }
        Rec(0);
        return Tensor.From(result).Reshape(outShape);
    }

    private static int Flat(string subs, Dictionary<char, int> assign, Dictionary<char, int> size)
    {
        int f = 0;
        foreach (char c in subs)
            f = f * size[c] + assign[c];
        return f;
    }

    [Theory]
    [InlineData("ij,jk->ik", 1, "2 operands but 1")]
    [InlineData("ij->ji", 2, "1 operands but 2")]
    [InlineData("ij,jk,kl->il", 3, "1 or 2 are supported")]
    [InlineData("ijk,jk->ik", 2, "rank 2", "\"ijk\"")]
    [InlineData("ii->i", 1, "repeated subscript", "\"ii\"")]
    [InlineData("i1,1k->ik", 2, "invalid subscript '1'")]
    [InlineData("...ij,jk->ik", 2, "ellipsis")]
    [InlineData("ij,jk->iz", 2, "output subscript 'z'")]
    [InlineData("ij,jk->iki", 2, "output", "repeat", "\"iki\"")]
    [InlineData("ij-k", 1, "invalid subscript '-'")]
    [InlineData("ij,jk->ik->i", 2, "->")]
    [InlineData("ij,kj->ik", -1, "subscript 'j' has size 3", "4")]
    public void BadEquations_ThrowClearArgumentException(string equation, int operands, params string[] parts)
    {
        var ops = operands switch
        {
            -1 => [Tensor.Zeros([2, 3], DType.Float64), Tensor.Zeros([4, 4], DType.Float64)], // j is 3 in one, 4 in the other
            _ => Enumerable.Range(0, operands).Select(_ => Tensor.Zeros([2, 2], DType.Float64)).ToArray(),
        };
        var e = Assert.Throws<ArgumentException>(() => Tensor.Einsum(equation, ops));
        output.WriteLine(e.Message);
        Assert.Contains("einsum", e.Message);
        foreach (var p in parts)
            Assert.True(e.Message.Contains(p), $"message \"{e.Message}\" does not contain \"{p}\"");
    }
}
