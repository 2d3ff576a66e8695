using System.Globalization;
using System.Text.RegularExpressions;

namespace Polymath.Models.Peft;

/// <summary>
/// The settings of LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"), named as Hugging Face
/// PEFT's <c>LoraConfig</c>: W x + (α / r) · B A dropout(x) with A [r, in], B [out, r].
/// </summary>
public sealed record LoraConfig
{
    /// <summary>Rank r of the update (PEFT's <c>r</c>).</summary>
    public int Rank { get; init; } = 8;

    /// <summary>α; the update is scaled by α / r (PEFT's <c>lora_alpha</c>).</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Dropout on the LoRA branch's input (PEFT's <c>lora_dropout</c>).</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Which layers get LoRA, as a regular expression over module names: a <c>Linear</c> or GPT <c>Conv1D</c> is targeted
    /// when its dotted name ends with a match that starts at a '.' boundary, so <c>c_attn|c_proj</c> takes every attention
    /// input projection and both output projections, and <c>attn\.c_proj</c> only the attention's.
    /// </summary>
    public string TargetModules { get; init; } = "c_attn";

    /// <summary>Throws when a value is out of range or the pattern is not a valid regular expression.</summary>
    /// <exception cref="ArgumentException">What is wrong.</exception>
    public void Validate()
    {
        if (Rank <= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LoraConfig: rank must be positive, got {Rank}."));
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LoraConfig: alpha must be positive and finite, got {Alpha}."));
        if (Dropout is < 0 or >= 1 || double.IsNaN(Dropout))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LoraConfig: dropout must be in [0, 1), got {Dropout}."));
        _ = TargetRegex(TargetModules);
    }

    /// <summary>True when <paramref name="moduleName"/> (dotted) is selected by <paramref name="pattern"/> (see <see cref="TargetModules"/>).</summary>
    public static bool Matches(string pattern, string moduleName) => TargetRegex(pattern).IsMatch(moduleName);

    private static Regex TargetRegex(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
            throw new ArgumentException("target modules: the pattern is empty; give module names such as \"c_attn|c_proj\".");
        try
        {
            return new Regex($"(^|\\.)(?:{pattern})$", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"target modules: '{pattern}' is not a valid regular expression ({e.Message}).", e);
        }
    }
}
