using Polymath.Models;
using Polymath.Training.Continual;

namespace Polymath.Training.Tests.Continual;

/// <summary>Split and permuted MNIST on small subsets: the task data, and forgetting with and without replay.</summary>
public class SplitMnistTests
{
    [MnistFact]
    public void SplitMnistTasksHoldTheirDigitsInEachScenario()
    {
        var cls = TaskSequence.SplitMnist(MnistData.Train, MnistData.Test, ContinualScenario.ClassIncremental, trainPerTask: 300, testPerTask: 100);
        Assert.Equal(5, cls.Tasks.Count);
        Assert.Equal(10, cls.Outputs);
        Assert.Equal(784, cls.Features);
        for (int t = 0; t < 5; t++)
        {
            Assert.Equal(300, cls.Tasks[t].TrainCount);
            Assert.Equal(100, cls.Tasks[t].TestCount);
            Assert.All(cls.Tasks[t].TrainTargets.ToArray<long>(), y => Assert.True(y == 2 * t || y == 2 * t + 1));
            Assert.Contains(2L * t + 1, cls.Tasks[t].TestTargets.ToArray<long>());
        }
        // The rows are MNIST's images in file order, standardised: the first 0/1 image of the training split.
        int first = Enumerable.Range(0, MnistData.Train.Count).First(i => MnistData.Train.Label(i) <= 1);
        var raw = MnistData.Train.RawImages.Span.Slice(first * 784, 784).ToArray();
        var row = cls.Tasks[0].TrainInputs.Narrow(0, 0, 1).ToArray();
        for (int k = 0; k < 784; k++)
            Assert.Equal((raw[k] / 255.0 - 0.1307) / 0.3081, row[k], 4);
        Assert.Null(cls.LogitMask([0, 1], DType.Float32));

        var dom = TaskSequence.SplitMnist(MnistData.Train, MnistData.Test, ContinualScenario.DomainIncremental, trainPerTask: 300, testPerTask: 100);
        Assert.Equal(2, dom.Outputs);
        var digits = cls.Tasks[3].TrainTargets.ToArray<long>();
        Assert.Equal(digits.Select(d => d - 6), dom.Tasks[3].TrainTargets.ToArray<long>());

        var task = TaskSequence.SplitMnist(MnistData.Train, MnistData.Test, ContinualScenario.TaskIncremental, trainPerTask: 300, testPerTask: 100);
        var mask = task.LogitMask([2, 2, 4], DType.Float32)!.ToArray();
        Assert.Equal(30, mask.Length);
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(c is 4 or 5 ? 0f : -1e9f, mask[c]);
            Assert.Equal(c is 8 or 9 ? 0f : -1e9f, mask[20 + c]);
        }
        Assert.Equal([1, 10], task.LogitMask([3, 3], DType.Float32)!.Shape);

        var held = cls.HoldOut(50);
        Assert.Equal(250, held.Tasks[1].TrainCount);
        Assert.Equal(50, held.Tasks[1].TestCount);
        Assert.Equal(cls.Tasks[1].TrainInputs.Narrow(0, 250, 50).ToArray(), held.Tasks[1].TestInputs.ToArray());
        Assert.Throws<ArgumentException>(() => cls.HoldOut(300));
        Assert.Throws<ArgumentException>(() => TaskSequence.SplitMnist(MnistData.Train, MnistData.Test, ContinualScenario.ClassIncremental, [[0, 1], [1, 2]]));
    }

    [MnistFact]
    public void PermutedMnistShufflesThePixelsOfTheSameImagesWithOnePermutationPerTask()
    {
        var seq = TaskSequence.PermutedMnist(MnistData.Train, MnistData.Test, tasks: 3, seed: 5, trainPerTask: 200, testPerTask: 50);
        Assert.Equal(ContinualScenario.DomainIncremental, seq.Scenario);
        var x0 = seq.Tasks[0].TrainInputs.ToArray();
        for (int t = 1; t < 3; t++)
        {
            Assert.Equal(seq.Tasks[0].TrainTargets.ToArray<long>(), seq.Tasks[t].TrainTargets.ToArray<long>());
            var xt = seq.Tasks[t].TrainInputs.ToArray();
            Assert.NotEqual(x0, xt);
            // Each image's pixel values are the same multiset: a permutation, not a different image.
            for (int n = 0; n < 200; n += 37)
                Assert.Equal(x0.AsSpan(n * 784, 784).ToArray().Order(), xt.AsSpan(n * 784, 784).ToArray().Order());
            // One permutation for the whole task, train and test alike: a column of task t equals one column of the
            // identity task over all 200 training images, and the same column over the test images.
            var test0 = seq.Tasks[0].TestInputs.ToArray();
            var testT = seq.Tasks[t].TestInputs.ToArray();
            int matched = 0;
            for (int k = 0; k < 784 && matched < 15; k += 7)
            {
                var candidates = Enumerable.Range(0, 784).Where(j => Enumerable.Range(0, 200).All(n => x0[n * 784 + j] == xt[n * 784 + k])).ToList();
                if (candidates.Count != 1)
                    continue; // blank border columns match many
                matched++;
                int source = candidates[0];
                Assert.All(Enumerable.Range(0, 50), n => Assert.Equal(test0[n * 784 + source], testT[n * 784 + k]));
            }
            Assert.True(matched >= 10, $"task {t}: only {matched} columns matched exactly one source pixel");
        }
        var again = TaskSequence.PermutedMnist(MnistData.Train, MnistData.Test, tasks: 3, seed: 5, trainPerTask: 200, testPerTask: 50);
        Assert.Equal(seq.Tasks[2].TestInputs.ToArray(), again.Tasks[2].TestInputs.ToArray());
    }

    private static (ContinualResult Naive, ContinualResult Replay) RunBoth(TaskSequence seq, ulong seed)
    {
        ContinualResult Run(ContinualStrategy s) => ContinualLearner.Run(new Mlp(784, [64], 10, new Generator(seed)), seq, s,
            new ContinualOptions { Epochs = 3, BatchSize = 16, Seed = seed });
        return (Run(new NaiveStrategy()), Run(new ExperienceReplay(bufferSize: 200, replayBatchSize: 16)));
    }

    [MnistFact]
    public void ClassIncrementalNaiveFineTuningForgetsAndReplayReducesForgettingForEverySeed()
    {
        // 400 training images per task, a 784-64-10 MLP, three epochs per task: a few seconds per run. Measured with
        // seeds 1-3: naive F_5 0.96-0.97 and A_5 0.12-0.19; replay F_5 0.27-0.33 and A_5 0.69-0.74.
        var seq = TaskSequence.SplitMnist(MnistData.Train, MnistData.Test, ContinualScenario.ClassIncremental, trainPerTask: 400, testPerTask: 200);
        foreach (ulong seed in new ulong[] { 1, 2, 3 })
        {
            var (naive, replay) = RunBoth(seq, seed);
            // Each task is learned when it is trained (the last pair only to ~55-95%: the old digits' logits still pull).
            for (int t = 0; t < 5; t++)
                Assert.True(naive.Accuracy[t, t] > 0.5, $"seed {seed}: naive learned task {t} to only {naive.Accuracy[t, t]:F3}");
            // Naive: a single head with no task identity predicts only the last task's digits.
            Assert.True(naive.Accuracy.Forgetting(4) > 0.8, $"seed {seed}: naive forgetting {naive.Accuracy.Forgetting(4):F3}");
            Assert.True(naive.Accuracy.AverageAccuracy(4) < 0.3, $"seed {seed}: naive average accuracy {naive.Accuracy.AverageAccuracy(4):F3}");
            Assert.True(replay.Accuracy.Forgetting(4) < naive.Accuracy.Forgetting(4) - 0.3,
                $"seed {seed}: replay forgetting {replay.Accuracy.Forgetting(4):F3} vs naive {naive.Accuracy.Forgetting(4):F3}");
            Assert.True(replay.Accuracy.AverageAccuracy(4) > naive.Accuracy.AverageAccuracy(4) + 0.3,
                $"seed {seed}: replay average accuracy {replay.Accuracy.AverageAccuracy(4):F3} vs naive {naive.Accuracy.AverageAccuracy(4):F3}");
        }
    }

    [MnistFact]
    public void RunsAreDeterministicForASeed()
    {
        var seq = TaskSequence.SplitMnist(MnistData.Train, MnistData.Test, ContinualScenario.TaskIncremental, trainPerTask: 200, testPerTask: 100);
        ContinualResult Run() => ContinualLearner.Run(new Mlp(784, [32], 10, new Generator(9)), seq, new EwcStrategy(100, fisherSamples: 50),
            new ContinualOptions { Epochs = 1, BatchSize = 50, Seed = 9 });
        var a = Run();
        var b = Run();
        for (int i = 0; i < 5; i++)
            Assert.Equal(a.Accuracy.Row(i), b.Accuracy.Row(i));
    }
}
