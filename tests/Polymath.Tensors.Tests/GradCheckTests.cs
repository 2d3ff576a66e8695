using Xunit;
using Xunit.Abstractions;
using static Polymath.Tests.TestData;

namespace Polymath.Tests;

/// <summary>
/// Every differentiable op, checked against central finite differences in float64 (see <see cref="GradCheck"/>),
/// on seeded random inputs in three layouts (contiguous, transposed view, stepped slice), with broadcasting,
/// size-1 and size-0 dims. Inputs of non-smooth ops are kept away from their kinks.
/// </summary>
public sealed class GradCheckTests(ITestOutputHelper output)
{
    private const int BaseSeed = 20240601;

    private sealed record Case(string Name, Func<System.Random, Layout, Tensor[]> Inputs, Func<Tensor[], Tensor> F);

    private static Tensor R(System.Random r, Layout l, params int[] shape) => Rand(r, shape, l);

    private static Tensor Pos(System.Random r, Layout l, params int[] shape) => Rand(r, shape, l, 0.5, 2.0);

    private static Tensor Nz(System.Random r, Layout l, params int[] shape) => Make(AwayFromZero(r, Numel(shape), -2, 2, 0.1), shape, l);

    private static Tensor Idx(params long[] v) => Tensor.From(v);

    private static readonly Case[] Table = Build();

    private static Case[] Build()
    {
        var c = new List<Case>();
        void Add(string name, Func<System.Random, Layout, Tensor[]> inputs, Func<Tensor[], Tensor> f) => c.Add(new Case(name, inputs, f));

        // ---- binary arithmetic, with broadcasting, size-1 and size-0 dims
        Add("add", (r, l) => [R(r, l, 3, 1, 4), R(r, l, 2, 4)], x => x[0] + x[1]);
        Add("add_alpha", (r, l) => [R(r, l, 2, 3), R(r, l, 3)], x => x[0].Add(x[1], 0.5));
        Add("add_scalar", (r, l) => [R(r, l, 2, 3)], x => x[0] + 1.5);
        Add("add_empty", (r, l) => [R(r, l, 0, 3), R(r, l, 3)], x => x[0] + x[1]);
        Add("add_size1_both", (r, l) => [R(r, l, 1, 3), R(r, l, 4, 1)], x => x[0] + x[1]);
        Add("sub", (r, l) => [R(r, l, 4, 3), R(r, l, 1, 3)], x => x[0] - x[1]);
        Add("rsub_scalar", (r, l) => [R(r, l, 2, 3)], x => 2.0 - x[0]);
        Add("mul", (r, l) => [R(r, l, 2, 3, 4), R(r, l, 3, 1)], x => x[0] * x[1]);
        Add("mul_same_input", (r, l) => [R(r, l, 3, 2)], x => x[0] * x[0]);
        Add("mul_0d", (r, l) => [R(r, l, 2, 3), R(r, l)], x => x[0] * x[1]);
        Add("div", (r, l) => [R(r, l, 3, 4), Nz(r, l, 4)], x => x[0] / x[1]);
        Add("rdiv_scalar", (r, l) => [Nz(r, l, 3, 2)], x => 2.0 / x[0]);
        Add("pow_tensor", (r, l) => [Pos(r, l, 3, 4), R(r, l, 3, 1)], x => x[0].Pow(x[1]));
        Add("pow_scalar", (r, l) => [Pos(r, l, 3, 4)], x => x[0].Pow(2.7));
        Add("pow_square", (r, l) => [R(r, l, 3, 4)], x => x[0].Pow(2));
        Add("pow_half", (r, l) => [Pos(r, l, 3, 4)], x => x[0].Pow(0.5));
        Add("maximum", (r, l) => [R(r, l, 3, 4), R(r, l, 4)], x => x[0].Maximum(x[1]));
        Add("minimum", (r, l) => [R(r, l, 3, 4), R(r, l, 3, 1)], x => x[0].Minimum(x[1]));

        // ---- unary (kinks avoided: Nz keeps |x| >= 0.1)
        Add("neg", (r, l) => [R(r, l, 3, 4)], x => -x[0]);
        Add("abs", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Abs());
        Add("sign", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Sign() * x[0]);
        Add("exp", (r, l) => [R(r, l, 3, 4)], x => x[0].Exp());
        Add("log", (r, l) => [Pos(r, l, 3, 4)], x => x[0].Log());
        Add("sqrt", (r, l) => [Pos(r, l, 3, 4)], x => x[0].Sqrt());
        Add("rsqrt", (r, l) => [Pos(r, l, 3, 4)], x => x[0].Rsqrt());
        Add("reciprocal", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Reciprocal());
        Add("square", (r, l) => [R(r, l, 3, 4)], x => x[0].Square());
        Add("sin", (r, l) => [R(r, l, 3, 4)], x => x[0].Sin());
        Add("cos", (r, l) => [R(r, l, 3, 4)], x => x[0].Cos());
        Add("tanh", (r, l) => [R(r, l, 3, 4)], x => x[0].Tanh());
        Add("sigmoid", (r, l) => [R(r, l, 3, 4)], x => x[0].Sigmoid());
        Add("relu", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Relu());
        Add("leaky_relu", (r, l) => [Nz(r, l, 3, 4)], x => x[0].LeakyRelu(0.2));
        Add("gelu", (r, l) => [R(r, l, 3, 4)], x => x[0].Gelu());
        Add("gelu_tanh", (r, l) => [R(r, l, 3, 4)], x => x[0].Gelu("tanh"));
        Add("silu", (r, l) => [R(r, l, 3, 4)], x => x[0].Silu());
        Add("softplus", (r, l) => [R(r, l, 3, 4)], x => x[0].Softplus());
        Add("softplus_beta", (r, l) => [R(r, l, 3, 4)], x => x[0].Softplus(beta: 2));
        Add("erf", (r, l) => [R(r, l, 3, 4)], x => x[0].Erf());
        Add("clamp", (r, l) => [Make(AwayFrom(r, 12, [-0.5, 0.7]), [3, 4], l)], x => x[0].Clamp(-0.5, 0.7));
        Add("clamp_min", (r, l) => [Make(AwayFrom(r, 12, [0.3]), [3, 4], l)], x => x[0].Clamp(min: 0.3));
        Add("unary_empty", (r, l) => [R(r, l, 2, 0)], x => x[0].Exp());
        Add("unary_0d", (r, l) => [R(r, l)], x => x[0].Tanh());

        // ---- selection
        Add("where", (r, l) => [R(r, l, 3, 4), R(r, l, 4)], x => Tensor.Where(Mask(3, 4), x[0], x[1]));
        Add("where_scalar", (r, l) => [R(r, l, 3, 4)], x => Tensor.Where(Mask(3, 4), x[0], 0.5));
        Add("masked_fill", (r, l) => [R(r, l, 3, 4)], x => x[0].MaskedFill(Mask(1, 4), -1.0));

        // ---- reductions
        Add("sum_all", (r, l) => [R(r, l, 3, 4)], x => x[0].Sum());
        Add("sum_dim", (r, l) => [R(r, l, 3, 4, 2)], x => x[0].Sum(1));
        Add("sum_dims_keep", (r, l) => [R(r, l, 3, 4, 2)], x => x[0].Sum([0, 2], keepDim: true));
        Add("sum_empty", (r, l) => [R(r, l, 0, 3)], x => x[0].Sum(0));
        Add("mean_all", (r, l) => [R(r, l, 3, 4)], x => x[0].Mean());
        Add("mean_dim", (r, l) => [R(r, l, 3, 4, 2)], x => x[0].Mean(-1));
        Add("prod_all", (r, l) => [R(r, l, 2, 3)], x => x[0].Prod());
        Add("prod_dim", (r, l) => [R(r, l, 3, 4)], x => x[0].Prod([1]));
        Add("prod_with_zero", (r, l) => [Make([1.5, 0.0, -0.7, 2.0, 0.0, 0.9], [2, 3], l)], x => x[0].Prod([1]));
        Add("amax", (r, l) => [R(r, l, 3, 4)], x => x[0].Amax([1]));
        Add("amin_all", (r, l) => [R(r, l, 3, 4)], x => x[0].Amin());
        Add("max_dim_values", (r, l) => [R(r, l, 3, 4)], x => x[0].Max(0).Values);
        Add("min_dim_values", (r, l) => [R(r, l, 3, 4)], x => x[0].Min(1, keepDim: true).Values);
        Add("var", (r, l) => [R(r, l, 3, 4)], x => x[0].Var(1));
        Add("var_all_biased", (r, l) => [R(r, l, 3, 4)], x => x[0].Var(unbiased: false));
        Add("std", (r, l) => [R(r, l, 3, 4)], x => x[0].Std(0, keepDim: true));
        Add("logsumexp", (r, l) => [R(r, l, 3, 4)], x => x[0].LogSumExp(1));
        Add("logsumexp_dims", (r, l) => [R(r, l, 2, 3, 4)], x => x[0].LogSumExp([0, 2], keepDim: true));
        Add("norm2", (r, l) => [R(r, l, 3, 4)], x => x[0].Norm());
        Add("norm1_dim", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Norm(1, [1]));
        Add("norm3", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Norm(3, [0]));
        Add("norm_inf", (r, l) => [Nz(r, l, 3, 4)], x => x[0].Norm(double.PositiveInfinity, [1]));
        Add("softmax_last", (r, l) => [R(r, l, 3, 5)], x => x[0].Softmax(-1));
        Add("softmax_dim0", (r, l) => [R(r, l, 3, 5)], x => x[0].Softmax(0));
        Add("log_softmax", (r, l) => [R(r, l, 2, 3, 4)], x => x[0].LogSoftmax(1));

        // ---- indexing
        Add("index_select_repeat", (r, l) => [R(r, l, 4, 3)], x => x[0].IndexSelect(0, Idx(2, 0, 2, 3)));
        Add("index_select_dim1", (r, l) => [R(r, l, 2, 4, 3)], x => x[0].IndexSelect(1, Idx(1, -1)));
        Add("gather", (r, l) => [R(r, l, 3, 4)], x => x[0].Gather(1, Tensor.From([0L, 3, 3, 1, 2, 0], 3, 2)));
        Add("scatter_add", (r, l) => [R(r, l, 3, 4), R(r, l, 2, 4)], x => x[0].ScatterAdd(0, Tensor.From([0L, 2, 2, 1, 0, 0, 2, 1], 2, 4), x[1]));
        Add("scatter_add_src_larger", (r, l) => [R(r, l, 3, 4), R(r, l, 3, 4)], x => x[0].ScatterAdd(0, Tensor.From([0L, 2, 2, 1, 0, 0, 2, 1], 2, 4), x[1]));
        Add("topk_values", (r, l) => [R(r, l, 3, 5)], x => x[0].TopK(2).Values);
        Add("sort_values", (r, l) => [R(r, l, 4, 3)], x => x[0].Sort(0, descending: true).Values);
        Add("indexer", (r, l) => [R(r, l, 4, 5, 3)], x => x[0][1, TensorIndex.Slice(0, null, 2), TensorIndex.NewAxis, 1..]);
        Add("indexer_ellipsis", (r, l) => [R(r, l, 4, 5, 3)], x => x[0][TensorIndex.Ellipsis, -1]);

        // ---- views and copies
        Add("reshape", (r, l) => [R(r, l, 3, 4)], x => x[0].Reshape(2, -1, 3) * 1.0);
        Add("view_contiguous", (r, l) => [R(r, l, 3, 4)], x => x[0].Contiguous().View(4, 3) * 1.0);
        Add("permute", (r, l) => [R(r, l, 2, 3, 4)], x => x[0].Permute(2, 0, 1).Contiguous());
        Add("transpose", (r, l) => [R(r, l, 2, 3, 4)], x => x[0].Transpose(0, 2) * Tensor.Arange(0, 2, 1, DType.Float64));
        Add("t", (r, l) => [R(r, l, 3, 4)], x => x[0].T.Exp());
        Add("expand", (r, l) => [R(r, l, 3, 1)], x => x[0].Expand(2, 3, 4).Sin());
        Add("squeeze_unsqueeze", (r, l) => [R(r, l, 3, 1, 4)], x => x[0].Squeeze().Unsqueeze(0).Unsqueeze(-1).Exp());
        Add("flatten", (r, l) => [R(r, l, 2, 3, 4)], x => x[0].Flatten(1) * 2.0);
        Add("slice_step", (r, l) => [R(r, l, 7, 3)], x => x[0].Slice(0, 1, -1, 2).Exp());
        Add("narrow_select", (r, l) => [R(r, l, 5, 4)], x => x[0].Narrow(1, 1, 2).Select(0, -2));
        Add("clone", (r, l) => [R(r, l, 3, 4)], x => x[0].Clone());
        Add("to_float32_and_back", (r, l) => [R(r, l, 3, 4)], x => x[0].To(DType.Float32).To(DType.Float64) * 0 + x[0]);
        Add("split", (r, l) => [R(r, l, 5, 3)], x => x[0].Split(2)[1] * x[0].Split([1, 4])[1][..2]);
        Add("chunk", (r, l) => [R(r, l, 3, 6)], x => x[0].Chunk(3, 1)[2].Exp());
        Add("cat", (r, l) => [R(r, l, 2, 3), R(r, l, 4, 3), R(r, l, 0, 3)], x => Tensor.Cat([x[0], x[1], x[2]], 0).Sin());
        Add("cat_dim1", (r, l) => [R(r, l, 2, 3), R(r, l, 2, 1)], x => Tensor.Cat([x[0], x[1]], -1) * 3.0);
        Add("stack", (r, l) => [R(r, l, 2, 3), R(r, l, 2, 3)], x => Tensor.Stack([x[0], x[1]], 1).Exp());

        // ---- linear algebra
        Add("matmul_2d", (r, l) => [R(r, l, 3, 4), R(r, l, 4, 5)], x => x[0].MatMul(x[1]));
        Add("matmul_batched_broadcast", (r, l) => [R(r, l, 2, 1, 3, 4), R(r, l, 3, 4, 2)], x => x[0].MatMul(x[1]));
        Add("matmul_3d_2d", (r, l) => [R(r, l, 2, 3, 4), R(r, l, 4, 2)], x => x[0].MatMul(x[1]));
        Add("matmul_1d_2d", (r, l) => [R(r, l, 4), R(r, l, 4, 3)], x => x[0].MatMul(x[1]));
        Add("matmul_2d_1d", (r, l) => [R(r, l, 3, 4), R(r, l, 4)], x => x[0].MatMul(x[1]));
        Add("matmul_size1", (r, l) => [R(r, l, 1, 4), R(r, l, 4, 1)], x => x[0].MatMul(x[1]));
        Add("matmul_k0", (r, l) => [R(r, l, 2, 0), R(r, l, 0, 3)], x => x[0].MatMul(x[1]));
        Add("matmul_m0", (r, l) => [R(r, l, 0, 3), R(r, l, 3, 2)], x => x[0].MatMul(x[1]));
        Add("bmm", (r, l) => [R(r, l, 2, 3, 4), R(r, l, 2, 4, 2)], x => x[0].Bmm(x[1]));
        Add("mm", (r, l) => [R(r, l, 3, 4), R(r, l, 4, 2)], x => x[0].Mm(x[1]));
        Add("outer", (r, l) => [R(r, l, 3), R(r, l, 4)], x => x[0].Outer(x[1]));
        Add("dot", (r, l) => [R(r, l, 5), R(r, l, 5)], x => x[0].Dot(x[1]));

        // ---- in-place ops on non-leaf tensors under autograd
        Add("mul_inplace_nonleaf", (r, l) => [R(r, l, 3, 4), R(r, l, 4)], x => (x[0] * 2.0).MulInPlace(x[1]));
        Add("add_inplace_nonleaf", (r, l) => [R(r, l, 3, 4), R(r, l, 4)], x => (x[0] * 2.0).AddInPlace(x[1], 0.5));
        Add("mul_inplace_constant_target", (r, l) => [R(r, l, 3, 4)], x => Tensor.Full([3, 4], 1.5, DType.Float64).MulInPlace(x[0]));
        Add("sin_then_add_inplace", (r, l) => [R(r, l, 3, 4)], x => x[0].Sin().AddInPlace(1.0));
        Add("div_inplace_nonleaf", (r, l) => [R(r, l, 3, 4), Nz(r, l, 3, 4)], x => (x[0] + 1.0).DivInPlace(x[1]));
        Add("relu_inplace_nonleaf", (r, l) => [Nz(r, l, 3, 4)], x => (x[0] * 1.5).ReluInPlace());
        Add("clamp_inplace_nonleaf", (r, l) => [Make(AwayFrom(r, 12, [-0.5, 0.5]), [3, 4], l)], x => x[0].Sin().ClampInPlace(-0.5, 0.5));
        Add("masked_fill_inplace", (r, l) => [R(r, l, 3, 4)], x => (x[0] * 1.0).MaskedFillInPlace(Mask(3, 4), 0.25));
        Add("copy_from", (r, l) => [R(r, l, 3, 4), R(r, l, 4)], x => (x[0] * 1.0).CopyFrom(x[1].Exp()));

        // ---- composites a model uses
        Add("layer_norm_like", (r, l) => [R(r, l, 3, 5)], x =>
        {
            var mu = x[0].Mean(-1, keepDim: true);
            var v = x[0].Var(-1, unbiased: false, keepDim: true);
            return (x[0] - mu) * (v + 1e-5).Rsqrt();
        });
        Add("attention_like", (r, l) => [R(r, l, 2, 3, 4), R(r, l, 2, 3, 4), R(r, l, 2, 3, 4)], x =>
            x[0].MatMul(x[1].Transpose(-1, -2)).Mul(0.5).Softmax(-1).MatMul(x[2]));
        return c.ToArray();
    }

    /// <summary>A fixed bool mask of the given shape (alternating pattern).</summary>
    private static Tensor Mask(params int[] shape)
    {
        long n = Numel(shape);
        var m = new bool[n];
        for (long i = 0; i < n; i++)
            m[i] = (i * 7 + 3) % 3 == 0;
        return Tensor.From(m, shape);
    }

    /// <summary>Values in [-2, 2] at least 0.05 from each kink.</summary>
    private static double[] AwayFrom(System.Random r, int n, double[] kinks)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double t;
            do t = -2 + 4 * r.NextDouble();
            while (kinks.Any(k => Math.Abs(t - k) < 0.05));
            v[i] = t;
        }
        return v;
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in Table)
            d.Add(c.Name);
        return d;
    }

    [Fact]
    public void CaseNamesAreUnique() => Assert.Equal(Table.Length, Table.Select(c => c.Name).Distinct().Count());

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesFiniteDifferences(string name)
    {
        int index = Array.FindIndex(Table, c => c.Name == name);
        var testCase = Table[index];
        foreach (Layout layout in Enum.GetValues<Layout>())
        {
            int seed = BaseSeed + 10 * index + (int)layout;
            output.WriteLine($"gradcheck {name} layout={layout} seed={seed}");
            var rng = new System.Random(seed);
            var inputs = testCase.Inputs(rng, layout);
            string? failure;
            try
            {
                failure = GradCheck.Check(testCase.F, inputs, seed);
            }
            catch (Exception e)
            {
                failure = e.ToString();
            }
            Assert.True(failure is null, $"{name} ({layout}, seed {seed}, inputs {string.Join(" ", inputs.Select(t => GradCheck.Fmt(t.Shape) + "/" + GradCheck.Fmt(t.Strides)))}):\n{failure}");
        }
    }
}
