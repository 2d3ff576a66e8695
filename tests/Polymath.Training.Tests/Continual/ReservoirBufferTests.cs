using Polymath.Training.Continual;

namespace Polymath.Training.Tests.Continual;

public class ReservoirBufferTests
{
    [Fact]
    public void EveryItemOfTheStreamIsKeptWithTheSameProbability()
    {
        // 2000 streams of 200 items into a buffer of 20: each item should be kept in 10% of the streams (200 times).
        const int trials = 2000, stream = 200, capacity = 20;
        var counts = new int[stream];
        var g = new Generator(7);
        for (int t = 0; t < trials; t++)
        {
            var buffer = new ReservoirBuffer<int>(capacity, g);
            for (int i = 0; i < stream; i++)
                buffer.Add(i);
            Assert.Equal(capacity, buffer.Count);
            Assert.Equal(stream, buffer.Seen);
            Assert.Equal(capacity, buffer.Items.Distinct().Count());
            foreach (int item in buffer.Items)
                counts[item]++;
        }
        double p = (double)capacity / stream, expected = trials * p, variance = trials * p * (1 - p);
        // Pearson's statistic with the binomial variance: about χ² with ~199 degrees of freedom (mean 199, sd 20);
        // 320 is six standard deviations out. A sampler that favours early or late items scores in the thousands.
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / variance);
        Assert.True(chi2 < 320, $"chi-square {chi2:F1} over {stream} items; counts from {counts.Min()} to {counts.Max()}");
        double early = counts.Take(stream / 2).Average(), late = counts.Skip(stream / 2).Average();
        Assert.True(Math.Abs(early - late) < 8, $"mean count of the first half {early:F1}, of the second half {late:F1} (expected {expected})");
    }

    [Fact]
    public void TheBufferFillsFirstAndSamplesDistinctItems()
    {
        var buffer = new ReservoirBuffer<int>(5, new Generator(1));
        for (int i = 0; i < 3; i++)
            Assert.True(buffer.Add(i));
        Assert.Equal([0, 1, 2], buffer.Items);
        Assert.Equal([0, 1, 2], buffer.Sample(10).Order());
        for (int i = 3; i < 100; i++)
            buffer.Add(i);
        var draw = buffer.Sample(4);
        Assert.Equal(4, draw.Distinct().Count());
        Assert.All(draw, d => Assert.Contains(d, buffer.Items));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReservoirBuffer<int>(0, new Generator(1)));
    }
}
