using System.Globalization;

namespace Polymath.Quantum;

/// <summary>
/// A classical read-out error on one measured bit: the confusion matrix P(measured | true), row = true value, column =
/// recorded value ([[P(0|0), P(1|0)], [P(0|1), P(1|1)]], each row summing to 1), as Qiskit's <c>ReadoutError</c>.
/// </summary>
public sealed class ReadoutError
{
    private readonly double[,] _p;

    /// <summary>An error with P(1 | true 0) = <paramref name="p1Given0"/> and P(0 | true 1) = <paramref name="p0Given1"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A probability is outside [0, 1].</exception>
    public ReadoutError(double p1Given0, double p0Given1)
    {
        Check(p1Given0, nameof(p1Given0));
        Check(p0Given1, nameof(p0Given1));
        _p = new[,] { { 1 - p1Given0, p1Given0 }, { p0Given1, 1 - p0Given1 } };
    }

    /// <summary>An error from its 2×2 confusion matrix P(measured | true) (rows: true value).</summary>
    /// <exception cref="ArgumentException">Not 2×2, an entry outside [0, 1], or a row not summing to 1.</exception>
    public static ReadoutError FromConfusionMatrix(double[,] probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.GetLength(0) != 2 || probabilities.GetLength(1) != 2)
            throw new ArgumentException($"read-out confusion matrix must be 2×2, got {probabilities.GetLength(0)}×{probabilities.GetLength(1)}", nameof(probabilities));
        for (int t = 0; t < 2; t++)
        {
            double sum = probabilities[t, 0] + probabilities[t, 1];
            if (Math.Abs(sum - 1) > 1e-12)
                throw new ArgumentException($"read-out confusion matrix row {t} (true value {t}) sums to {sum.ToString("R", CultureInfo.InvariantCulture)}, not 1", nameof(probabilities));
        }
        return new ReadoutError(probabilities[0, 1], probabilities[1, 0]);
    }

    /// <summary>A symmetric error: each bit is recorded flipped with probability <paramref name="p"/>.</summary>
    public static ReadoutError Symmetric(double p) => new(p, p);

    /// <summary>P(recorded <paramref name="measured"/> | true value <paramref name="trueValue"/>).</summary>
    public double Probability(int trueValue, int measured) => _p[CheckBit(trueValue, nameof(trueValue)), CheckBit(measured, nameof(measured))];

    /// <summary>P(1 | true 0).</summary>
    public double P1Given0 => _p[0, 1];

    /// <summary>P(0 | true 1).</summary>
    public double P0Given1 => _p[1, 0];

    /// <summary>The confusion matrix (a copy).</summary>
    public double[,] ConfusionMatrix => (double[,])_p.Clone();

    /// <summary>The recorded bit for a true outcome <paramref name="trueValue"/>, drawing the flip from <paramref name="rng"/>.</summary>
    public int Apply(int trueValue, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double flip = trueValue == 0 ? _p[0, 1] : _p[1, 0];
        return flip > 0 && rng.NextDouble() < flip ? 1 - trueValue : trueValue;
    }

    /// <inheritdoc/>
    public override string ToString() => $"readout(P(1|0)={P1Given0}, P(0|1)={P0Given1})";

    private static void Check(double p, string name)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(name, $"read-out error probability {name} = {p} is outside [0, 1]");
    }

    private static int CheckBit(int b, string name) =>
        b is 0 or 1 ? b : throw new ArgumentOutOfRangeException(name, $"{name} = {b} is not a bit value 0 or 1");
}
