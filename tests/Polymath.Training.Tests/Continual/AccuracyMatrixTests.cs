using Polymath.Training.Continual;

namespace Polymath.Training.Tests.Continual;

public class AccuracyMatrixTests
{
    // Task 0 improves after task 1 (positive backward transfer), then drops: forgetting measures the drop from the best
    // accuracy (0.95), backward transfer the drop from the accuracy just after training (0.90).
    private static readonly double[,] R =
    {
        { 0.90, 0.10, 0.00 },
        { 0.95, 0.80, 0.20 },
        { 0.50, 0.70, 0.85 },
    };

    [Fact]
    public void MetricsMatchHandComputedValues()
    {
        var m = new AccuracyMatrix(R);
        Assert.Equal(3, m.Rows);
        Assert.Equal(0.90, m.AverageAccuracy(0), 12);
        Assert.Equal((0.95 + 0.80) / 2, m.AverageAccuracy(1), 12);
        Assert.Equal((0.50 + 0.70 + 0.85) / 3, m.AverageAccuracy(2), 12);
        Assert.True(double.IsNaN(m.Forgetting(0)));
        Assert.Equal(0.90 - 0.95, m.Forgetting(1), 12);
        Assert.Equal(((0.95 - 0.50) + (0.80 - 0.70)) / 2, m.Forgetting(2), 12);
        Assert.True(double.IsNaN(m.BackwardTransfer(0)));
        Assert.Equal(0.95 - 0.90, m.BackwardTransfer(1), 12);
        Assert.Equal(((0.50 - 0.90) + (0.70 - 0.80)) / 2, m.BackwardTransfer(2), 12);
        Assert.Equal(new[] { m.AverageAccuracy(0), m.AverageAccuracy(1), m.AverageAccuracy(2) }, m.AverageAccuracies());
    }

    [Fact]
    public void RowsFillInOrderAndFutureEntriesAreIgnored()
    {
        var m = new AccuracyMatrix(3);
        Assert.Throws<ArgumentException>(() => m.SetRow(1, [0, 0, 0]));
        m.SetRow(0, [0.9, 0.3, 0.2]);
        Assert.Equal(0.9, m.AverageAccuracy(0), 12); // 0.3 and 0.2 are tasks not trained yet
        Assert.Throws<ArgumentOutOfRangeException>(() => m.AverageAccuracy(1));
        Assert.Throws<ArgumentException>(() => m.SetRow(1, [0.5, 0.5]));
        m.SetRow(1, [0.4, 0.8, 0.1]);
        Assert.Equal(0.5, m.Forgetting(1), 12);
        Assert.Equal(2, m.Rows);
        Assert.Equal([0.4, 0.8, 0.1], m.Row(1));
    }

    [Fact]
    public void MissingEntriesOnOrBelowTheDiagonalAreRejected()
    {
        var bad = (double[,])R.Clone();
        bad[2, 1] = double.NaN;
        var e = Assert.Throws<ArgumentException>(() => new AccuracyMatrix(bad));
        Assert.Contains("R[2, 1]", e.Message);
        Assert.Throws<ArgumentException>(() => new AccuracyMatrix(new double[2, 3]));
    }
}
