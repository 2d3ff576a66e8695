using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Polymath.Training;

/// <summary>
/// A corpus BLEU score with the statistics it was computed from, as sacreBLEU's <c>BLEUScore</c>.
/// </summary>
/// <param name="Score">BLEU × 100 (0–100).</param>
/// <param name="Precisions">The four n-gram precisions × 100 (smoothed where a count was zero).</param>
/// <param name="BrevityPenalty">exp(1 − r/c) when c &lt; r, else 1.</param>
/// <param name="SysLen">c: hypothesis tokens.</param>
/// <param name="RefLen">r: reference tokens (per segment, the closest reference length).</param>
/// <param name="Correct">Clipped n-gram matches for n = 1..4.</param>
/// <param name="Total">Hypothesis n-grams for n = 1..4.</param>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, long SysLen, long RefLen, long[] Correct, long[] Total)
{
    /// <summary>sacreBLEU's one-line form: <c>BLEU = 34.21 65.1/40.9/27.6/19.0 (BP = 0.981 ratio = 0.981 hyp_len = … ref_len = …)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"BLEU = {Score:F2} {string.Join('/', Precisions.Select(p => p.ToString("F1", CultureInfo.InvariantCulture)))} (BP = {BrevityPenalty:F3} ratio = {(RefLen > 0 ? (double)SysLen / RefLen : 0):F3} hyp_len = {SysLen} ref_len = {RefLen})");
}

/// <summary>
/// Corpus-level BLEU computed the way sacreBLEU does by default (signature <see cref="Signature"/>): each segment is
/// right-stripped and tokenised with the mteval-v13a rules (<see cref="Tokenize13a"/>), case is kept, n-grams of order
/// 1–4 are counted over the whole corpus with each hypothesis n-gram clipped to its largest count in any one reference,
/// the reference length of a segment is that of the reference closest in length (the shorter on a tie), the brevity
/// penalty is exp(1 − r/c) when c &lt; r, and a zero match count at order n is smoothed by sacreBLEU's "exp" method
/// (precision 100 / (2^k · total), k counting the zero orders so far). Score = BP · exp(mean log precision) × 100.
/// </summary>
public static class Bleu
{
    /// <summary>The highest n-gram order.</summary>
    public const int MaxOrder = 4;

    /// <summary>sacreBLEU's signature for the settings used here (without its version field).</summary>
    public const string Signature = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp";

    // mteval-v13a's language-dependent rules, as sacreBLEU's TokenizerRegexp applies them in order.
    private static readonly (Regex Pattern, string Replacement)[] Rules =
    [
        // ASCII punctuation and symbols except . , - and ' (the ranges { to ~, [ to `, space to &, ( to +, : to @, and /)
        (new Regex(@"([\{-\~\[-\` -\&\(-\+\:-\@\/])", RegexOptions.CultureInvariant), " $1 "),
        // period and comma unless preceded by a digit
        (new Regex(@"([^0-9])([\.,])", RegexOptions.CultureInvariant), "$1 $2 "),
        // period and comma unless followed by a digit
        (new Regex(@"([\.,])([^0-9])", RegexOptions.CultureInvariant), " $1 $2"),
        // dash when preceded by a digit
        (new Regex(@"([0-9])(-)", RegexOptions.CultureInvariant), "$1 $2 "),
    ];

    /// <summary>
    /// The mteval-v13a tokenisation sacreBLEU calls "13a": remove <c>&lt;skipped&gt;</c>, join lines ending in "-",
    /// turn newlines into spaces, unescape <c>&amp;quot; &amp;amp; &amp;lt; &amp;gt;</c>, split off punctuation (periods and commas
    /// only when not next to a digit, dashes only after a digit), then collapse whitespace.
    /// </summary>
    public static string Tokenize13a(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line = line.Replace("<skipped>", "", StringComparison.Ordinal).Replace("-\n", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        if (line.Contains('&', StringComparison.Ordinal))
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal).Replace("&amp;", "&", StringComparison.Ordinal)
                .Replace("&lt;", "<", StringComparison.Ordinal).Replace("&gt;", ">", StringComparison.Ordinal);
        line = " " + line + " ";
        foreach (var (pattern, replacement) in Rules)
            line = pattern.Replace(line, replacement);
        return string.Join(' ', SplitWhitespace(line));
    }

    /// <summary>Splits on Unicode whitespace and drops empty pieces, as Python's <c>str.split()</c>.</summary>
    private static IEnumerable<string> SplitWhitespace(string s)
    {
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsPythonSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsPythonSpace(s[i])) i++;
            if (i > start)
                yield return s[start..i];
        }
    }

    // Python's str.isspace also counts the separators U+001C–U+001F.
    private static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';

    /// <summary>Corpus BLEU of <paramref name="hypotheses"/> against one reference each.</summary>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        Corpus(hypotheses, [references]);

    /// <summary>
    /// Corpus BLEU with several reference streams: <c>referenceStreams[k][i]</c> is the k-th reference of segment i
    /// (sacreBLEU's <c>corpus_bleu(hyps, [refs1, refs2, …])</c>).
    /// </summary>
    /// <exception cref="ArgumentException">No reference stream, or a stream whose length differs from the hypotheses'.</exception>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> referenceStreams)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(referenceStreams);
        if (referenceStreams.Count == 0)
            throw new ArgumentException("BLEU: at least one reference stream is needed.", nameof(referenceStreams));
        for (int k = 0; k < referenceStreams.Count; k++)
            if (referenceStreams[k].Count != hypotheses.Count)
                throw new ArgumentException($"BLEU: reference stream {k} has {referenceStreams[k].Count} segments but there are {hypotheses.Count} hypotheses.", nameof(referenceStreams));
        var correct = new long[MaxOrder];
        var total = new long[MaxOrder];
        long sysLen = 0, refLen = 0;
        for (int i = 0; i < hypotheses.Count; i++)
        {
            var hyp = Tokenize13a(hypotheses[i].TrimEnd()).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var refs = referenceStreams.Select(s => Tokenize13a(s[i].TrimEnd()).Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
            sysLen += hyp.Length;
            // Closest reference length, the shorter one on a tie.
            int closest = -1, closestDiff = int.MaxValue;
            foreach (var r in refs)
            {
                int diff = Math.Abs(hyp.Length - r.Length);
                if (diff < closestDiff || (diff == closestDiff && r.Length < closest))
                    (closest, closestDiff) = (r.Length, diff);
            }
            refLen += closest;
            var maxRef = new Dictionary<string, int>();
            foreach (var r in refs)
                foreach (var (gram, count) in NGrams(r))
                    if (!maxRef.TryGetValue(gram, out var c) || count > c)
                        maxRef[gram] = count;
            foreach (var (gram, count) in NGrams(hyp))
            {
                int n = NGramOrder(gram);
                total[n - 1] += count;
                if (maxRef.TryGetValue(gram, out var rc))
                    correct[n - 1] += Math.Min(count, rc);
            }
        }
        return FromStatistics(correct, total, sysLen, refLen);
    }

    /// <summary>
    /// BLEU from sufficient statistics (clipped matches and totals per order, hypothesis and reference lengths), with
    /// sacreBLEU's default "exp" smoothing; 0 when the hypothesis is empty or has no n-grams of some order.
    /// </summary>
    /// <exception cref="ArgumentException">The arrays do not have <see cref="MaxOrder"/> entries.</exception>
    public static BleuScore FromStatistics(long[] correct, long[] total, long sysLen, long refLen)
    {
        if (correct.Length != MaxOrder || total.Length != MaxOrder)
            throw new ArgumentException($"BLEU: expected {MaxOrder} match and total counts, got {correct.Length} and {total.Length}.");
        var precisions = new double[MaxOrder];
        if (sysLen == 0)
            return new BleuScore(0, precisions, 0, sysLen, refLen, correct, total);
        double smooth = 1;
        for (int n = 0; n < MaxOrder; n++)
        {
            if (total[n] == 0)
                break; // the remaining precisions stay 0, so the score is 0
            if (correct[n] == 0)
            {
                smooth *= 2;
                precisions[n] = 100.0 / (smooth * total[n]);
            }
            else
                precisions[n] = 100.0 * correct[n] / total[n];
        }
        double bp = sysLen < refLen ? Math.Exp(1 - (double)refLen / sysLen) : 1.0;
        double logSum = 0;
        foreach (var p in precisions)
            logSum += p == 0 ? -9999999999.0 : Math.Log(p);
        double score = bp * Math.Exp(logSum / MaxOrder);
        return new BleuScore(score, precisions, bp, sysLen, refLen, correct, total);
    }

    // N-grams are keyed by their tokens joined with U+0001 (13a output never contains it as a token separator) and
    // prefixed by the order, so one dictionary holds all four orders.
    private static Dictionary<string, int> NGrams(string[] tokens)
    {
        var counts = new Dictionary<string, int>();
        var sb = new StringBuilder();
        for (int n = 1; n <= MaxOrder; n++)
            for (int i = 0; i + n <= tokens.Length; i++)
            {
                sb.Clear().Append((char)('0' + n));
                for (int j = i; j < i + n; j++)
                    sb.Append('\u0001').Append(tokens[j]);
                var key = sb.ToString();
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        return counts;
    }

    private static int NGramOrder(string key) => key[0] - '0';
}
