namespace Polymath.Physics;

/// <summary>
/// Exact results for the infinite 2D square-lattice Ising model with J = 1, k_B = 1 (Onsager, Phys. Rev. 65, 117
/// (1944); Yang, Phys. Rev. 85, 808 (1952); as written in Huang, "Statistical Mechanics", 2nd ed., §15.4, and
/// Baxter, "Exactly Solved Models", ch. 7).
/// </summary>
public static class Onsager
{
    /// <summary>The critical temperature T_c = 2 / ln(1 + √2) ≈ 2.269185.</summary>
    public static readonly double CriticalTemperature = 2 / Math.Log(1 + Math.Sqrt(2));

    /// <summary>
    /// The energy per spin u(T) = −coth(2β) [1 + (2/π)(2 tanh²(2β) − 1) K(κ)], κ = 2 sinh(2β)/cosh²(2β), with K the
    /// complete elliptic integral of the first kind; at T_c the K term vanishes (K diverges only logarithmically) and u = −√2.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">T not a positive finite number.</exception>
    public static double EnergyPerSpin(double temperature)
    {
        CheckTemperature(temperature);
        double b2 = 2 / temperature;
        double kappa = 2 * Math.Sinh(b2) / (Math.Cosh(b2) * Math.Cosh(b2));
        double t = Math.Tanh(b2);
        double factor = 2 * t * t - 1;
        double kTerm = factor == 0 || kappa >= 1 ? 0 : 2 / Math.PI * factor * EllipticK(kappa);
        return -1 / Math.Tanh(b2) * (1 + kTerm);
    }

    /// <summary>
    /// The spontaneous magnetisation per spin M(T) = (1 − sinh⁻⁴(2β))^{1/8} for T &lt; T_c (Yang 1952), 0 at and above T_c.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">T not a positive finite number.</exception>
    public static double SpontaneousMagnetization(double temperature)
    {
        CheckTemperature(temperature);
        if (temperature >= CriticalTemperature) return 0;
        double sh = Math.Sinh(2 / temperature);
        double x = 1 - 1 / (sh * sh * sh * sh);
        return x <= 0 ? 0 : Math.Pow(x, 0.125);
    }

    /// <summary>
    /// The complete elliptic integral of the first kind K(k) = ∫₀^{π/2} dθ / √(1 − k² sin²θ) (modulus k, 0 ≤ k &lt; 1),
    /// by the arithmetic–geometric mean: K(k) = π / (2 AGM(1, √(1 − k²))) (Abramowitz &amp; Stegun 17.6).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k outside [0, 1).</exception>
    public static double EllipticK(double k)
    {
        if (!(k >= 0 && k < 1)) throw new ArgumentOutOfRangeException(nameof(k), k, "elliptic K: the modulus must lie in [0, 1)");
        double a = 1, g = Math.Sqrt((1 - k) * (1 + k));
        for (int i = 0; i < 64 && Math.Abs(a - g) > 1e-16 * a; i++)
        {
            double next = 0.5 * (a + g);
            g = Math.Sqrt(a * g);
            a = next;
        }
        return Math.PI / (2 * a);
    }

    private static void CheckTemperature(double t)
    {
        if (!(t > 0) || !double.IsFinite(t))
            throw new ArgumentOutOfRangeException(nameof(t), t, $"Onsager: the temperature must be a positive finite number, not {t}");
    }
}
