using Polymath.Models.Peft;
using Polymath.Models.Prompting;

namespace Polymath.Models.Tests.Peft;

/// <summary>Verbalizer scores against log-probabilities summed by hand, and the speaker task's parsing and split.</summary>
public sealed class VerbalizerAndDataTests
{
    // A toy tokenizer over the tiny model's 11 ids: characters 'a'..'k'.
    private static int[] Encode(string s) => [.. s.Select(c => c - 'a')];

    /// <summary>log p(ids[pos + 1] | ids[..pos + 1]) from one plain forward pass over the whole sequence.</summary>
    private static double LogProbByHand(GptModel model, long[] ids, int from)
    {
        using var _ = Tensor.NoGrad();
        var logits = model.Forward(Tensor.From(ids, 1, ids.Length)).Contiguous().ToArray();
        double sum = 0;
        for (int pos = from - 1; pos < ids.Length - 1; pos++)
        {
            double max = double.NegativeInfinity, z = 0;
            for (int v = 0; v < 11; v++) max = Math.Max(max, logits[pos * 11 + v]);
            for (int v = 0; v < 11; v++) z += Math.Exp(logits[pos * 11 + v] - max);
            sum += logits[pos * 11 + ids[pos + 1]] - max - Math.Log(z);
        }
        return sum;
    }

    [Fact]
    public void ScoresAreTheContinuationsLogProbabilities()
    {
        var model = PeftFixtures.Tiny(context: 12);
        var vc = new VerbalizerClassifier(model, Encode, ["bad", "ca", "k"], "{text}j{label}") { Separator = "i" };
        var scores = vc.Score("fade");
        // prompt "i" + "fade" + "j", then each label word is scored.
        long[] prompt = [.. Encode("ifadej").Select(i => (long)i)];
        string[] words = ["bad", "ca", "k"];
        for (int c = 0; c < 3; c++)
        {
            long[] ids = [.. prompt, .. Encode(words[c]).Select(i => (long)i)];
            Assert.Equal(LogProbByHand(model, ids, prompt.Length), scores[c], 5);
        }
        Assert.Equal(Array.IndexOf(scores, scores.Max()), vc.Predict("fade"));

        var mean = new VerbalizerClassifier(model, Encode, ["bad", "ca"], "{text}j{label}", ScoreNormalization.Mean) { Separator = "i" }.Score("fade");
        Assert.Equal(scores[0] / 3, mean[0], 5);

        // Channel form: the label comes first and the text is scored after it; a demonstration goes before.
        var channel = new VerbalizerClassifier(model, Encode, ["b", "c"], "{label}h{text}") { Separator = "i" };
        var s = channel.Score("dd", [("ea", 1)]);
        long[] p2 = [.. Encode("ichea" + "i").Select(i => (long)i)];
        long[] full = [.. p2, .. Encode("bhdd").Select(i => (long)i)];
        Assert.Equal(LogProbByHand(model, full, p2.Length), s[0], 5);
    }

    [Fact]
    public void ALongPromptLosesItsStartToFitTheContext()
    {
        var model = PeftFixtures.Tiny(context: 8);
        var vc = new VerbalizerClassifier(model, Encode, ["ab", "c"], "{text}j{label}") { Separator = "i" };
        var scores = vc.Score("abcdefgh"); // "iabcdefghj" + "ab" = 12 tokens > 8: the prompt keeps its last 6
        long[] ids = [.. Encode("efghjab").Select(i => (long)i)];
        Assert.Equal(LogProbByHand(model, [Encode("defghj")[0], .. ids], 6), scores[0], 5);
        Assert.Throws<ArgumentException>(() => new VerbalizerClassifier(model, Encode, ["a", "b"], "{text} no label"));
        Assert.Throws<ArgumentException>(() => new VerbalizerClassifier(model, Encode, ["a"], "{text}{label}"));
    }

    private const string Script = """
        First Citizen:
        Before we proceed any further, hear me speak.

        All:
        Speak, speak.

        ROMEO:
        But soft, what light
        through yonder window breaks?

        JULIET:
        O Romeo.

        ROMEO:
        It is the east.

        Not a speech line
        at all

        ROMEO:
        Juliet is the sun.

        JULIET:
        Wherefore art thou.

        First Citizen:
        You are all resolved.

        ROMEO:
        Arise, fair sun.

        JULIET:
        Deny thy father.

        ROMEO:
        Kill the envious moon.

        """;

    [Fact]
    public void ParsesSpeechesAndSplitsTheMostFrequentSpeakers()
    {
        var speeches = SpeakerDataset.Parse(Script);
        Assert.Equal(11, speeches.Count);
        Assert.Equal(new Speech("ROMEO", "But soft, what light\nthrough yonder window breaks?"), speeches[2]);
        Assert.Equal("First Citizen", speeches[0].Speaker);

        var task = SpeakerDataset.Create(Script, speakers: 3, seed: 4, validationFraction: 0.2, testFraction: 0.2);
        Assert.Equal(["ROMEO", "JULIET", "First Citizen"], task.Labels); // 5, 3, 2 speeches; "All" (1) is dropped
        Assert.Equal([5, 3, 2], task.SpeechCounts);
        Assert.Equal((2, 2, 6), (task.Validation.Count, task.Test.Count, task.Train.Count));
        var all = task.Train.Concat(task.Validation).Concat(task.Test).Select(x => x.Text).ToList();
        Assert.Equal(10, all.Distinct().Count());
        Assert.Equal(5, task.Train.Concat(task.Validation).Concat(task.Test).Count(x => x.Label == 0));
        var again = SpeakerDataset.Create(Script, speakers: 3, seed: 4, validationFraction: 0.2, testFraction: 0.2);
        Assert.Equal(task.Test, again.Test);
        var other = SpeakerDataset.Create(Script, speakers: 3, seed: 5, validationFraction: 0.2, testFraction: 0.2);
        Assert.NotEqual(task.Train, other.Train);
        var e = Assert.Throws<ArgumentException>(() => SpeakerDataset.Create(Script, speakers: 9));
        Assert.Contains("4 speakers", e.Message);
    }
}
