using System.Globalization;
using System.Text.RegularExpressions;

namespace Polymath.Models.Peft;

/// <summary>One speech of a play: who speaks it and what is said.</summary>
public sealed record Speech(string Speaker, string Text);

/// <summary>
/// Speaker identification on a play script in Tiny Shakespeare's layout (blocks separated by blank lines, each a line
/// <c>NAME:</c> followed by the spoken lines): keep the speeches of the most frequent speakers, label them 0..K−1 by
/// frequency (ties by name), and split them into train / validation / test with a seeded shuffle.
/// </summary>
public sealed class SpeakerDataset
{
    private static readonly Regex SpeakerLine = new(@"^([A-Za-z][A-Za-z' \-]*):$", RegexOptions.CultureInvariant);

    private SpeakerDataset(IReadOnlyList<string> labels, IReadOnlyList<(string Text, int Label)> train, IReadOnlyList<(string Text, int Label)> validation,
        IReadOnlyList<(string Text, int Label)> test, IReadOnlyList<int> speechCounts)
    {
        Labels = labels;
        Train = train;
        Validation = validation;
        Test = test;
        SpeechCounts = speechCounts;
    }

    /// <summary>Speaker names, label i = Labels[i], most frequent first.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Speeches of each label in the whole text.</summary>
    public IReadOnlyList<int> SpeechCounts { get; }

    /// <summary>Training examples.</summary>
    public IReadOnlyList<(string Text, int Label)> Train { get; }

    /// <summary>Validation examples.</summary>
    public IReadOnlyList<(string Text, int Label)> Validation { get; }

    /// <summary>Test examples.</summary>
    public IReadOnlyList<(string Text, int Label)> Test { get; }

    /// <summary>Every speech of the script in order: a block whose first line is <c>NAME:</c> and which has at least one more line.</summary>
    public static List<Speech> Parse(string text)
    {
        var speeches = new List<Speech>();
        foreach (var block in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n"))
        {
            var lines = block.Trim('\n').Split('\n');
            if (lines.Length < 2)
                continue;
            var m = SpeakerLine.Match(lines[0]);
            if (!m.Success)
                continue;
            speeches.Add(new Speech(m.Groups[1].Value, string.Join("\n", lines.Skip(1))));
        }
        return speeches;
    }

    /// <summary>Builds the task from a script.</summary>
    /// <param name="text">The script.</param>
    /// <param name="speakers">How many of the most frequent speakers to keep (K).</param>
    /// <param name="seed">Seed of the shuffle that splits the speeches.</param>
    /// <param name="validationFraction">Share of speeches for validation.</param>
    /// <param name="testFraction">Share for test.</param>
    /// <exception cref="ArgumentException">Fewer than K speakers, fractions out of range, or a split would be empty.</exception>
    public static SpeakerDataset Create(string text, int speakers = 10, ulong seed = 0, double validationFraction = 0.1, double testFraction = 0.1)
    {
        if (speakers < 2)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"speaker task: need at least 2 speakers, got {speakers}."));
        if (validationFraction <= 0 || testFraction <= 0 || validationFraction + testFraction >= 1)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"speaker task: validation ({validationFraction}) and test ({testFraction}) fractions must be positive and sum below 1."));
        var speeches = Parse(text);
        var counts = speeches.GroupBy(s => s.Speaker).Select(g => (Name: g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
        if (counts.Count < speakers)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"speaker task: the text has {counts.Count} speakers, fewer than the {speakers} asked for."));
        var labels = counts.Take(speakers).Select(c => c.Name).ToList();
        var index = labels.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var kept = speeches.Where(s => index.ContainsKey(s.Speaker)).Select(s => (s.Text, Label: index[s.Speaker])).ToList();
        var order = new long[kept.Count];
        new Generator(seed).Randperm(order);
        int nVal = (int)(kept.Count * validationFraction), nTest = (int)(kept.Count * testFraction);
        if (nVal == 0 || nTest == 0 || kept.Count - nVal - nTest == 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"speaker task: {kept.Count} speeches are too few to split {validationFraction}/{testFraction}."));
        var shuffled = order.Select(i => kept[(int)i]).ToList();
        return new SpeakerDataset(labels, shuffled[(nVal + nTest)..], shuffled[..nVal], shuffled[nVal..(nVal + nTest)],
            counts.Take(speakers).Select(c => c.Count).ToList());
    }
}
