using Polymath.Models;
using Polymath.NN;
using Polymath.NN.Optim;
using Xunit;
using Xunit.Abstractions;

namespace Polymath.Training.Tests;

/// <summary>
/// The sequence target: an LSTM classifier must learn a task that needs memory. Each sequence is 20 random
/// tokens; the label is the token at position 12, so the network has to carry it across the 7 steps that follow.
/// </summary>
public class LstmSequenceTaskTests(ITestOutputHelper output)
{
    private const double RequiredAccuracy = 0.95; // the target for the LSTM classifier
    // The label sits 7 steps before the end: a plain last-step readout cannot see it, the LSTM's memory must.
    private const int LabelPosition = 12;

    private static (Tensor Tokens, Tensor Labels) Batch(System.Random rng, int batch, int steps, int vocab)
    {
        var tokens = new long[batch * steps];
        var labels = new long[batch];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
                tokens[b * steps + t] = rng.Next(vocab);
            labels[b] = tokens[b * steps + LabelPosition];
        }
        return (Tensor.From(tokens, batch, steps), Tensor.From(labels, batch));
    }

    [Fact]
    public void LearnsToRecallATokenSevenStepsBack()
    {
        const int seed = 20261122, steps = 20, vocab = 10;
        output.WriteLine($"seed {seed}");
        Polymath.Random.Seed(seed);
        var rng = new System.Random(seed);
        var model = new LstmClassifier(vocabSize: vocab, embedDim: 16, hiddenSize: 64, numClasses: vocab);
        var opt = new Adam(model.Parameters(), lr: 1e-2);
        var lossFn = new CrossEntropyLoss();
        double accuracy = 0;
        int step;
        for (step = 1; step <= 1500; step++)
        {
            var (x, y) = Batch(rng, 64, steps, vocab);
            opt.ZeroGrad();
            var loss = lossFn.Call(model.Call(x), y);
            loss.Backward();
            GradClip.ClipGradNorm(model.Parameters(), 1.0);
            opt.Step();
            if (step % 50 == 0)
            {
                using (Tensor.NoGrad())
                {
                    model.Eval();
                    var (tx, ty) = Batch(new System.Random(seed + 1), 1000, steps, vocab);
                    accuracy = model.Call(tx).ArgMax(-1).Eq(ty).To(DType.Float32).Mean().Item();
                    model.Train();
                }
                output.WriteLine($"step {step}: loss {loss.Item():F4}, held-out accuracy {accuracy:P1}");
                if (accuracy >= 0.99)
                    break;
            }
        }
        Assert.True(accuracy >= RequiredAccuracy, $"held-out accuracy {accuracy:P1} after {step} steps");
    }
}
