using System.Text.Json.Serialization;

namespace Polymath.Learn;

/// <summary>Standardises features: (x − mean) / std, with the population std; constant columns keep scale 1.</summary>
public sealed class StandardScaler : Transformer
{
    /// <summary>Subtract the mean (default true).</summary>
    public bool WithMean { get; set; } = true;

    /// <summary>Divide by the standard deviation (default true).</summary>
    public bool WithStd { get; set; } = true;

    /// <summary>Column means.</summary>
    [JsonInclude] public double[] Mean { get; private set; } = [];

    /// <summary>Column scales (std, or 1 for constant columns).</summary>
    [JsonInclude] public double[] Scale { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        var mean = MathUtil.ColumnMeans(x);
        var var = MathUtil.ColumnVariances(x, mean);
        Mean = WithMean ? mean : new double[mean.Length];
        Scale = WithStd ? var.Select(v => v > 0 ? Math.Sqrt(v) : 1).ToArray() : Enumerable.Repeat(1.0, mean.Length).ToArray();
    }

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var r = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                r[i, j] = (x[i, j] - Mean[j]) / Scale[j];
        return r;
    }

    /// <summary>Undoes the scaling.</summary>
    public double[,] InverseTransform(double[,] x)
    {
        CheckPredictInput(x);
        int n = x.GetLength(0), d = x.GetLength(1);
        var r = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                r[i, j] = x[i, j] * Scale[j] + Mean[j];
        return r;
    }
}

/// <summary>Scales each feature linearly to [Min, Max] (default [0, 1]) using the training minimum and maximum.</summary>
public sealed class MinMaxScaler : Transformer
{
    /// <summary>Lower end of the output range (default 0).</summary>
    public double Min { get; set; }

    /// <summary>Upper end of the output range (default 1).</summary>
    public double Max { get; set; } = 1;

    /// <summary>Training minimum per column.</summary>
    [JsonInclude] public double[] DataMin { get; private set; } = [];

    /// <summary>Training maximum per column.</summary>
    [JsonInclude] public double[] DataMax { get; private set; } = [];

    /// <inheritdoc />
    protected override void FitCore(double[,] x, double[]? y)
    {
        if (!(Max > Min))
            throw new ArgumentException($"MinMaxScaler: the range [{Min}, {Max}] is empty.");
        int n = x.GetLength(0), d = x.GetLength(1);
        DataMin = Enumerable.Repeat(double.PositiveInfinity, d).ToArray();
        DataMax = Enumerable.Repeat(double.NegativeInfinity, d).ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                DataMin[j] = Math.Min(DataMin[j], x[i, j]);
                DataMax[j] = Math.Max(DataMax[j], x[i, j]);
            }
    }

    /// <inheritdoc />
    protected override double[,] TransformCore(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var r = new double[n, d];
        for (int j = 0; j < d; j++)
        {
            double range = DataMax[j] - DataMin[j];
            double scale = (Max - Min) / (range > 0 ? range : 1);
            for (int i = 0; i < n; i++)
                r[i, j] = (x[i, j] - DataMin[j]) * scale + Min;
        }
        return r;
    }
}
