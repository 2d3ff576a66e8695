using System.Globalization;
using Polymath.Models.Gpt;

namespace Polymath.Models.Prompting;

/// <summary>How the log-likelihood of a scored continuation is turned into a class score.</summary>
public enum ScoreNormalization
{
    /// <summary>Sum of the token log-probabilities (the log-likelihood itself).</summary>
    Sum,

    /// <summary>Mean per token, so long label words are not penalised for their length.</summary>
    Mean,
}

/// <summary>
/// Zero- and few-shot classification with a pretrained GPT, no training: each class has a label word (a verbalizer, here
/// a speaker's name), the input is written into a template with one <c>{text}</c> and one <c>{label}</c> slot, and the
/// class whose filled template the model finds most likely wins. The part before <c>{label}</c> is the prompt; everything from
/// <c>{label}</c> on is scored as its continuation, Σ log p(token | all before). So <c>"{text}\nspoken by: {label}"</c>
/// scores the label word after the text (the usual verbalizer), and <c>"{label}:\n{text}"</c> scores the name and then the
/// text given the name (a generative, "noisy channel" classifier, which matches how speakers appear in a play script).
/// Few-shot: k labelled examples, each written with the same template, come first, separated by <see cref="Separator"/>;
/// the whole prompt also starts with the separator.
/// </summary>
public sealed class VerbalizerClassifier
{
    private readonly GptModel _model;
    private readonly Func<string, int[]> _encode;
    private readonly string _before, _after;

    /// <summary>Creates the classifier.</summary>
    /// <param name="model">The language model (put in evaluation mode while scoring).</param>
    /// <param name="encode">The model's tokenizer.</param>
    /// <param name="labelWords">One word (or phrase) per class.</param>
    /// <param name="template">Text with exactly one <c>{text}</c> and one <c>{label}</c>.</param>
    /// <param name="normalization">Sum or per-token mean of the continuation's log-probabilities.</param>
    /// <exception cref="ArgumentException">A malformed template, or fewer than two label words.</exception>
    public VerbalizerClassifier(GptModel model, Func<string, int[]> encode, IReadOnlyList<string> labelWords, string template = "{text}\nspoken by: {label}",
        ScoreNormalization normalization = ScoreNormalization.Sum)
    {
        if (labelWords.Count < 2)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"verbalizer: need at least 2 label words, got {labelWords.Count}."));
        if (Count(template, "{label}") != 1 || Count(template, "{text}") != 1)
            throw new ArgumentException($"verbalizer: the template must contain {{text}} and {{label}} exactly once each, got \"{template}\".");
        _model = model;
        _encode = encode;
        LabelWords = labelWords;
        Template = template;
        Normalization = normalization;
        int at = template.IndexOf("{label}", StringComparison.Ordinal);
        (_before, _after) = (template[..at], template[at..]);
    }

    /// <summary>Label word of each class.</summary>
    public IReadOnlyList<string> LabelWords { get; }

    /// <summary>The template.</summary>
    public string Template { get; }

    /// <summary>Sum or mean.</summary>
    public ScoreNormalization Normalization { get; }

    /// <summary>Goes between demonstrations and before the query (a blank line, as between speeches in a play).</summary>
    public string Separator { get; init; } = "\n\n";

    /// <summary>Writes one example with its label word into the template.</summary>
    public string Fill(string text, int label) => Template.Replace("{text}", text, StringComparison.Ordinal).Replace("{label}", LabelWords[label], StringComparison.Ordinal);

    /// <summary>
    /// The score of each class for <paramref name="text"/>, with <paramref name="demonstrations"/> (text, label) written
    /// before it. When prompt and continuation are longer than the context, the prompt loses tokens from its start (the
    /// oldest demonstrations first); a continuation that alone fills the context keeps its first context − 1 tokens.
    /// </summary>
    public double[] Score(string text, IReadOnlyList<(string Text, int Label)>? demonstrations = null)
    {
        string prompt = Separator + string.Concat((demonstrations ?? []).Select(d => Fill(d.Text, d.Label) + Separator))
                        + _before.Replace("{text}", text, StringComparison.Ordinal);
        long[] promptIds = [.. _encode(prompt).Select(i => (long)i)];
        var continuations = LabelWords.Select(w => _encode(_after.Replace("{label}", w, StringComparison.Ordinal).Replace("{text}", text, StringComparison.Ordinal))
            .Select(i => (long)i).ToArray()).ToList();
        return ScoreContinuations(_model, promptIds, continuations, Normalization);
    }

    /// <summary>The class with the highest score (the lower index on a tie).</summary>
    public int Predict(string text, IReadOnlyList<(string Text, int Label)>? demonstrations = null)
    {
        var s = Score(text, demonstrations);
        int best = 0;
        for (int i = 1; i < s.Length; i++)
            if (s[i] > s[best]) best = i;
        return best;
    }

    /// <summary>
    /// Σ (or mean) over the tokens of each continuation of log p(token | prompt and the continuation's earlier tokens), all
    /// continuations in one batch (right-padded: causal attention keeps padding out of the real positions).
    /// </summary>
    /// <exception cref="ArgumentException">An empty prompt or continuation.</exception>
    public static double[] ScoreContinuations(GptModel model, IReadOnlyList<long> prompt, IReadOnlyList<long[]> continuations, ScoreNormalization normalization = ScoreNormalization.Sum)
    {
        if (prompt.Count == 0)
            throw new ArgumentException("verbalizer: the prompt is empty; the first scored token needs something before it.");
        if (continuations.Any(c => c.Length == 0))
            throw new ArgumentException("verbalizer: a label continuation encodes to no tokens.");
        int context = model.Config.ContextLength;
        var conts = continuations.Select(c => c.Length >= context ? c[..(context - 1)] : c).ToList();
        int longest = conts.Max(c => c.Length);
        int keep = Math.Min(prompt.Count, context - longest);
        var p = prompt.Skip(prompt.Count - keep).ToArray();
        int n = conts.Count, t = keep + longest;
        var ids = new long[n * t];
        for (int i = 0; i < n; i++)
        {
            p.CopyTo(ids, i * t);
            conts[i].CopyTo(ids, i * t + keep);
        }
        bool wasTraining = model.Training;
        model.Eval();
        float[] logp;
        int v = model.Config.VocabSize;
        try
        {
            using var _ = Tensor.NoGrad();
            logp = model.Forward(Tensor.From(ids, n, t)).LogSoftmax(-1).To(DType.Float32).Contiguous().ToArray<float>();
        }
        finally
        {
            model.Train(wasTraining);
        }
        var scores = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < conts[i].Length; j++)
            {
                int pos = keep + j - 1; // the logits at pos predict the token at pos + 1
                sum += logp[((long)i * t + pos) * v + conts[i][j]];
            }
            scores[i] = normalization == ScoreNormalization.Mean ? sum / conts[i].Length : sum;
        }
        return scores;
    }

    private static int Count(string s, string what)
    {
        int count = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + what.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
