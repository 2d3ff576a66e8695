using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.NN.Tests;

public class RecurrentTests(ITestOutputHelper output)
{
    public static TheoryData<string> RecurrentCases() => [.. GoldenCase.Names("lstm_").Concat(GoldenCase.Names("gru_")).Concat(GoldenCase.Names("rnn_"))];

    [Theory]
    [MemberData(nameof(RecurrentCases))]
    public void MatchesPyTorchOutputsAndGradients(string name)
    {
        var c = GoldenCase.Get(name);
        string kind = c.Str("kind");
        int input = c.Int("input_size"), hidden = c.Int("hidden_size"), layers = c.Int("num_layers");
        bool bi = c.Flag("bidirectional"), bf = c.Flag("batch_first"), bias = c.Flag("bias");
        if (kind == "LSTM")
        {
            var m = new LSTM(input, hidden, layers, bias, bf, bidirectional: bi);
            c.Check(m, () =>
            {
                var h0 = c.Input("h0");
                var r = m.Call(c.Inputs["x"], h0 is null ? null : new LstmState(h0, c.Inputs["c0"]), c.Input("lengths"));
                return new() { ["output"] = r.Output, ["h_n"] = r.HN, ["c_n"] = r.CN };
            });
        }
        else
        {
            RecurrentBase<RnnInput, RnnOutput> m = kind == "GRU"
                ? new GRU(input, hidden, layers, bias, bf, bidirectional: bi)
                : new RNN(input, hidden, layers, c.Str("nonlinearity"), bias, bf, bidirectional: bi);
            c.Check(m, () =>
            {
                var r = m.Call(new RnnInput(c.Inputs["x"], c.Input("h0"), c.Input("lengths")));
                return new() { ["output"] = r.Output, ["h_n"] = r.HN };
            });
        }
    }

    [Fact]
    public void ParameterNamesAndShapesFollowPyTorch()
    {
        var lstm = new LSTM(3, 5, numLayers: 2, bidirectional: true);
        Assert.Equal(
        [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
        ], lstm.StateDict().Keys);
        Assert.Equal([20, 3], lstm.GetParameter("weight_ih_l0")!.Shape);
        Assert.Equal([20, 10], lstm.GetParameter("weight_ih_l1_reverse")!.Shape);
        Assert.Equal([15, 5], new GRU(4, 5).GetParameter("weight_hh_l0")!.Shape);
        Assert.Equal(["weight_ih_l0", "weight_hh_l0"], new RNN(2, 3, bias: false).StateDict().Keys);
        // PyTorch's init: every parameter uniform in ±1/√hidden.
        Assert.All(lstm.Parameters(), p => Assert.True(p.Abs().Amax().Item() <= 1 / Math.Sqrt(5)));
    }

    [Fact]
    public void ShapesForEveryLayout()
    {
        Polymath.Random.Seed(3);
        var lstm = new LSTM(3, 4, numLayers: 2, batchFirst: true, bidirectional: true);
        var r = lstm.Call(Tensor.Randn(2, 6, 3));
        Assert.Equal([2, 6, 8], r.Output.Shape);
        Assert.Equal([4, 2, 4], r.HN.Shape);
        Assert.Equal([4, 2, 4], r.CN.Shape);
        var un = new GRU(3, 4, numLayers: 2).Call(Tensor.Randn(6, 3));
        Assert.Equal([6, 4], un.Output.Shape);
        Assert.Equal([2, 4], un.HN.Shape);
    }

    [Fact]
    public void ErrorsNameTheLayerAndShapes()
    {
        var lstm = new LSTM(3, 4, numLayers: 2);
        var e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(5, 2, 7)));
        Assert.Contains("LSTM", e.Message);
        Assert.Contains("input_size=3", e.Message);
        e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(5, 2, 3), new LstmState(Tensor.Zeros(1, 2, 4), Tensor.Zeros(2, 2, 4))));
        Assert.Contains("h0 [2,2,4]", e.Message);
        Assert.Contains("got [1,2,4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => lstm.Call(Tensor.Zeros(5, 2, 3), lengths: Tensor.From(new long[] { 6, 1 }, 2)));
        Assert.Contains("1..5", e.Message);
        Assert.Throws<ArgumentException>(() => new RNN(2, 3, nonlinearity: "sigmoid"));
    }

    [Fact]
    public void DropoutBetweenLayersOnlyWhileTraining()
    {
        Polymath.Random.Seed(5);
        var gru = new GRU(3, 8, numLayers: 2, dropout: 0.5);
        var x = Tensor.Randn(4, 2, 3);
        gru.Eval();
        var a = gru.Call(x).Output;
        Assert.True(a.AllClose(gru.Call(x).Output));
        gru.Train();
        Assert.False(a.AllClose(gru.Call(x).Output));
    }

    [Fact]
    public void PaddedStepsLeaveStateAndGiveZeros()
    {
        // A padded batch with lengths equals running each sequence alone on its valid prefix.
        Polymath.Random.Seed(11);
        var lstm = new LSTM(2, 3, bidirectional: true, dtype: DType.Float64);
        var x = Tensor.Randn(5, 2, 2).To(DType.Float64);
        var r = lstm.Call(x, lengths: Tensor.From(new long[] { 5, 3 }, 2));
        var alone = lstm.Call(x.Narrow(0, 0, 3).Narrow(1, 1, 1));
        Assert.True(r.Output.Narrow(1, 1, 1).Narrow(0, 0, 3).AllClose(alone.Output));
        Assert.True(r.HN.Narrow(1, 1, 1).AllClose(alone.HN));
        Assert.True(r.CN.Narrow(1, 1, 1).AllClose(alone.CN));
        Assert.Equal(0.0, r.Output.Narrow(1, 1, 1).Narrow(0, 3, 2).Abs().Sum().Item());
    }

    [Fact]
    public void ProjectionBlockSizeDoesNotChangeResults()
    {
        // The input projection runs in blocks of steps; one step per block and one block of all steps must agree.
        Polymath.Random.Seed(13);
        var lstm = new LSTM(3, 4, numLayers: 2, bidirectional: true, dtype: DType.Float64);
        var x = Tensor.Randn(7, 2, 3).To(DType.Float64).RequiresGrad_();
        var lengths = Tensor.From(new long[] { 7, 4 }, 2);
        (Tensor Out, Tensor Grad) Run(int? block)
        {
            RecurrentBase<LstmInput, LstmOutput>.ProjectionBlockOverride = block;
            try
            {
                x.ZeroGrad();
                var r = lstm.Call(x, lengths: lengths);
                (r.Output.Square().Sum() + r.CN.Sum()).Backward();
                return (r.Output, x.Grad!);
            }
            finally
            {
                RecurrentBase<LstmInput, LstmOutput>.ProjectionBlockOverride = null;
            }
        }

        var auto = Run(null);
        foreach (int block in new[] { 1, 7 })
        {
            var other = Run(block);
            Assert.True(auto.Out.AllClose(other.Out, 1e-12, 1e-12), $"block {block}: outputs differ");
            Assert.True(auto.Grad.AllClose(other.Grad, 1e-12, 1e-12), $"block {block}: input gradients differ");
        }
    }

    [Fact]
    public void LstmGradcheckFloat64()
    {
        // Central differences on every input, state and parameter element of a tiny bidirectional LSTM with lengths.
        const int seed = 7;
        const double step = 1e-6;
        // Central differences of a smooth function in float64: truncation ~step², rounding ~1e-16/step.
        const double tolerance = 1e-7;
        output.WriteLine($"seed {seed}");
        Polymath.Random.Seed(seed);
        var lstm = new LSTM(2, 3, numLayers: 2, bidirectional: true, dtype: DType.Float64);
        var x = Tensor.Randn(4, 2, 2).To(DType.Float64).RequiresGrad_();
        var h0 = Tensor.Randn(4, 2, 3).To(DType.Float64).RequiresGrad_();
        var c0 = Tensor.Randn(4, 2, 3).To(DType.Float64).RequiresGrad_();
        var lengths = Tensor.From(new long[] { 4, 2 }, 2);
        var wOut = Tensor.Randn(4, 2, 6).To(DType.Float64);
        var wH = Tensor.Randn(4, 2, 3).To(DType.Float64);
        double Loss()
        {
            var r = lstm.Call(x, new LstmState(h0, c0), lengths);
            return ((r.Output * wOut).Sum() + (r.HN * wH).Sum() + r.CN.Sum()).Item();
        }

        var r0 = lstm.Call(x, new LstmState(h0, c0), lengths);
        ((r0.Output * wOut).Sum() + (r0.HN * wH).Sum() + r0.CN.Sum()).Backward();
        foreach (var t in new[] { x, h0, c0 }.Concat(lstm.Parameters()))
        {
            double[] analytic = t.Grad!.ToArray<double>();
            for (int i = 0; i < analytic.Length; i++)
            {
                double numeric;
                using (Tensor.NoGrad())
                {
                    var flat = t.View(-1);
                    double v = flat[i].Item();
                    flat[i].FillInPlace(v + step);
                    double up = Loss();
                    flat[i].FillInPlace(v - step);
                    double down = Loss();
                    flat[i].FillInPlace(v);
                    numeric = (up - down) / (2 * step);
                }
                Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance * (1 + Math.Abs(numeric)), $"element {i} of a [{string.Join(",", t.Shape)}] tensor: analytic {analytic[i]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void LstmTiming()
    {
        // A figure, not an assertion: ms per forward+backward of LSTM(128→256), 64 steps, batch 32, float32.
        Polymath.Random.Seed(1);
        var lstm = new LSTM(128, 256);
        var x = Tensor.Randn(64, 32, 128).RequiresGrad_();
        void Step()
        {
            var r = lstm.Call(x);
            r.Output.Sum().Backward();
            lstm.ZeroGrad();
            x.ZeroGrad();
        }

        Step();
        Step();
        // Best and mean of several runs: the best is the figure to compare; the mean shows how noisy the machine was.
        const int reps = 6;
        double best = double.MaxValue, total = 0;
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            Step();
            double ms = sw.Elapsed.TotalMilliseconds;
            best = Math.Min(best, ms);
            total += ms;
        }
        output.WriteLine($"LSTM(128->256), T=64, B=32, float32, {Threads.Count} threads: {best:F1} ms per forward+backward (best of {reps}; mean {total / reps:F1} ms)");
    }
}
