using System.Globalization;
using System.Text;

namespace Polymath.Quantum;

/// <summary>A named free parameter of a circuit (an angle in radians), bound later with <see cref="Circuit.Bind"/>.</summary>
/// <param name="Name">The parameter's name; two parameters with the same name are the same parameter.</param>
public sealed record Parameter(string Name)
{
    /// <summary>The parameter as an expression (1·<see cref="Name"/>).</summary>
    public static implicit operator ParameterExpression(Parameter p) => ParameterExpression.Of(p);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>
/// A gate parameter: a constant plus a linear combination of named <see cref="Parameter"/>s
/// (c₀ + Σ cᵢ·θᵢ), enough for inverses (negation) and decompositions (θ/2, (φ+λ)/2). Immutable.
/// </summary>
public sealed class ParameterExpression
{
    private readonly SortedDictionary<string, double> _terms;

    private ParameterExpression(double constant, SortedDictionary<string, double> terms)
    {
        Constant = constant;
        _terms = terms;
    }

    /// <summary>The constant part c₀ (radians).</summary>
    public double Constant { get; }

    /// <summary>The coefficient of each free parameter, by name.</summary>
    public IReadOnlyDictionary<string, double> Terms => _terms;

    /// <summary>True when no free parameter remains, so <see cref="Value"/> can be read.</summary>
    public bool IsBound => _terms.Count == 0;

    /// <summary>The names of the free parameters in this expression.</summary>
    public IEnumerable<string> Parameters => _terms.Keys;

    /// <summary>The numeric value.</summary>
    /// <exception cref="InvalidOperationException">A parameter is still free; the message names it.</exception>
    public double Value => IsBound
        ? Constant
        : throw new InvalidOperationException($"parameter expression '{this}' has unbound parameter(s) {string.Join(", ", _terms.Keys)}; bind them first with Circuit.Bind");

    /// <summary>A constant expression.</summary>
    public static ParameterExpression Of(double value) => new(value, new SortedDictionary<string, double>(StringComparer.Ordinal));

    /// <summary>The expression 1·<paramref name="p"/>.</summary>
    public static ParameterExpression Of(Parameter p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(0, new SortedDictionary<string, double>(StringComparer.Ordinal) { [p.Name] = 1.0 });
    }

    /// <summary>Substitutes the values given; parameters not in <paramref name="values"/> stay free.</summary>
    public ParameterExpression Bind(IReadOnlyDictionary<string, double> values)
    {
        double c = Constant;
        var rest = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, coeff) in _terms)
        {
            if (values.TryGetValue(name, out double v)) c += coeff * v;
            else rest[name] = coeff;
        }
        return new ParameterExpression(c, rest);
    }

    /// <summary>A constant expression.</summary>
    public static implicit operator ParameterExpression(double value) => Of(value);

    /// <summary>Sum of two expressions.</summary>
    public static ParameterExpression operator +(ParameterExpression a, ParameterExpression b) => Combine(a, 1, b, 1);

    /// <summary>Difference of two expressions.</summary>
    public static ParameterExpression operator -(ParameterExpression a, ParameterExpression b) => Combine(a, 1, b, -1);

    /// <summary>Negation.</summary>
    public static ParameterExpression operator -(ParameterExpression a) => Combine(a, -1, Of(0), 0);

    /// <summary>Scaling by a number.</summary>
    public static ParameterExpression operator *(double s, ParameterExpression a) => Combine(a, s, Of(0), 0);

    /// <summary>Scaling by a number.</summary>
    public static ParameterExpression operator *(ParameterExpression a, double s) => Combine(a, s, Of(0), 0);

    /// <summary>Division by a number.</summary>
    public static ParameterExpression operator /(ParameterExpression a, double s) => Combine(a, 1 / s, Of(0), 0);

    private static ParameterExpression Combine(ParameterExpression a, double sa, ParameterExpression b, double sb)
    {
        var terms = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in a._terms) terms[k] = sa * v;
        foreach (var (k, v) in b._terms) terms[k] = terms.GetValueOrDefault(k) + sb * v;
        foreach (var k in terms.Where(t => t.Value == 0).Select(t => t.Key).ToList()) terms.Remove(k);
        return new ParameterExpression(sa * a.Constant + sb * b.Constant, terms);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        if (IsBound) return Constant.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        foreach (var (name, coeff) in _terms)
        {
            if (sb.Length > 0) sb.Append(coeff < 0 ? " - " : " + ");
            else if (coeff < 0) sb.Append('-');
            double m = Math.Abs(coeff);
            if (m != 1) sb.Append(m.ToString("R", CultureInfo.InvariantCulture)).Append('*');
            sb.Append(name);
        }
        if (Constant != 0) sb.Append(Constant < 0 ? " - " : " + ").Append(Math.Abs(Constant).ToString("R", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
