namespace Polymath.Training.Tests;

/// <summary>
/// sacreBLEU-compatible BLEU: the 13a tokeniser on hand-worked lines, and corpus scores worked out by hand from
/// sacreBLEU's definitions (clipped n-gram counts, closest reference length, brevity penalty, "exp" smoothing).
/// </summary>
public sealed class BleuTests
{
    [Theory]
    [InlineData("Hello, world!", "Hello , world !")]
    [InlineData("It costs $3.50, ok.", "It costs $ 3.50 , ok .")]
    [InlineData("1,000 people in 1995-2000 ran.", "1,000 people in 1995 - 2000 ran .")]
    [InlineData("a well-known don't", "a well-known don't")]
    [InlineData("&quot;Hi&quot; &amp; &lt;b&gt;", "\" Hi \" & < b >")]
    [InlineData("x(y)z/w", "x ( y ) z / w")]
    [InlineData("Ein Mann läuft über die Straße.", "Ein Mann läuft über die Straße .")]
    [InlineData("  two   spaces\tand tab ", "two spaces and tab")]
    [InlineData("line-\nbreak<skipped> end", "linebreak end")]
    [InlineData("a:b;c?d@e[f]g{h}i~j", "a : b ; c ? d @ e [ f ] g { h } i ~ j")]
    public void Tokenize13aFollowsTheMtevalRules(string input, string expected) => Assert.Equal(expected, Bleu.Tokenize13a(input));

    [Fact]
    public void OneSegmentWithAMissing4Gram()
    {
        // Hypothesis n-grams matched: 1-grams 5/6, 2-grams 3/5 (the cat, on the, the mat), 3-grams 1/4 (on the mat),
        // 4-grams 0/3 → "exp" smoothing gives 1/(2·3). BP = 1 (equal lengths). BLEU = (5/6 · 3/5 · 1/4 · 1/6)^¼ = 48^−¼.
        var s = Bleu.Corpus(["the cat sat on the mat"], ["the cat is on the mat"]);
        Assert.Equal(100 * Math.Pow(48, -0.25), s.Score, 10);
        Assert.Equal([5L, 3, 1, 0], s.Correct);
        Assert.Equal([6L, 5, 4, 3], s.Total);
        Assert.Equal(100.0 / 6, s.Precisions[3], 10);
        Assert.Equal(1.0, s.BrevityPenalty);
        Assert.StartsWith("BLEU = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000", s.ToString());
    }

    [Fact]
    public void CountsAreClippedAndSmoothingCompounds()
    {
        // "the" ×4 against one "the": 1/4. No 2-, 3-, 4-gram matches: 1/(2·3), 1/(4·2), 1/(8·1).
        var s = Bleu.Corpus(["the the the the"], ["the cat"]);
        Assert.Equal(100 * Math.Pow(0.25 / 6 / 8 / 8, 0.25), s.Score, 10);
    }

    [Fact]
    public void BrevityPenaltyIsCorpusLevel()
    {
        // All n-grams match (precisions 100); c = 8, r = 10 → BP = exp(1 − 10/8).
        var s = Bleu.Corpus(["a b c d", "w x y z"], ["a b c d e f", "w x y z"]);
        Assert.Equal(100 * Math.Exp(-0.25), s.Score, 10);
        Assert.Equal(8, s.SysLen);
        Assert.Equal(10, s.RefLen);
        // A longer hypothesis is not rewarded: c ≥ r gives BP = 1.
        Assert.Equal(1.0, Bleu.Corpus(["a b c d e f g"], ["a b c d"]).BrevityPenalty);
    }

    [Fact]
    public void ClosestReferenceLengthPrefersTheShorterOnATie()
    {
        // References of 5 and 3 tokens are both 1 away from the 4-token hypothesis: r = 3, so no penalty.
        var two = Bleu.Corpus(["a b c d"], [["a b c d e"], ["a b c"]]);
        Assert.Equal(3, two.RefLen);
        Assert.Equal(100, two.Score, 10);
        Assert.Equal(100 * Math.Exp(-0.25), Bleu.Corpus(["a b c d"], ["a b c d e"]).Score, 10);
    }

    [Fact]
    public void DegenerateCasesScoreZero()
    {
        Assert.Equal(0, Bleu.Corpus(["the cat"], ["the cat sat on the mat"]).Score); // no 3-grams in the hypothesis
        Assert.Equal(0, Bleu.Corpus([""], ["a b c d"]).Score);
    }

    [Fact]
    public void ExpSmoothingAppliesFromUnigramsOn()
    {
        // No match at any order: sacreBLEU's "exp" smoothing still gives 100/(2·4), 100/(4·3), 100/(8·2), 100/(16·1).
        var s = Bleu.Corpus(["w x y z"], ["a b c d"]);
        Assert.Equal(Math.Pow(12.5 * (100.0 / 12) * 6.25 * 6.25, 0.25), s.Score, 10);
    }

    [Fact]
    public void TrailingWhitespaceAndPunctuationAreTokenised()
    {
        // "mat." tokenises to "mat ." so it matches a reference written with a space; trailing spaces are stripped.
        Assert.Equal(100, Bleu.Corpus(["the cat sat on the mat.  "], ["the cat sat on the mat ."]).Score, 10);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Bleu.Corpus(["a", "b"], ["a"]));
        Assert.Contains("1 segments but there are 2 hypotheses", e.Message);
    }
}
