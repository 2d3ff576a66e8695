namespace Polymath.Bench;

/// <summary>
/// One benchmark figure: Polymath's time and the peer's time for the same op, measured in the same run.
/// <see cref="Ratio"/> is peer / ours, so a value above 1 means Polymath was faster.
/// </summary>
public sealed class BenchRow
{
    public BenchRow(string name, string group)
    {
        Name = name;
        Group = group;
    }

    /// <summary>Row name, e.g. <c>gemm_1024_managed</c>.</summary>
    public string Name { get; }

    /// <summary>Group used by <c>--filter</c> as well as the name, e.g. <c>gemm</c>, <c>elementwise</c>.</summary>
    public string Group { get; }

    /// <summary>Polymath's median seconds per op; null when our side failed.</summary>
    public double? OursS { get; set; }

    /// <summary>The peer's median seconds per op (PyTorch); null when unavailable.</summary>
    public double? PeerS { get; set; }

    /// <summary>peer / ours (&gt; 1: Polymath faster).</summary>
    public double? Ratio => OursS is > 0 && PeerS is > 0 ? PeerS / OursS : null;

    /// <summary>Unit of <see cref="OursS"/> and <see cref="PeerS"/>.</summary>
    public string Unit { get; set; } = "s/op";

    /// <summary>Extra figures (GFLOP/s, GB/s, the C OpenBLAS time...), in insertion order.</summary>
    public List<KeyValuePair<string, object?>> Extras { get; } = [];

    /// <summary>Notes: why a figure is missing, which peer was used.</summary>
    public List<string> Notes { get; } = [];

    public void Set(string key, object? value)
    {
        int i = Extras.FindIndex(kv => kv.Key == key);
        if (i >= 0)
            Extras[i] = new(key, value);
        else
            Extras.Add(new(key, value));
    }

    public object? Get(string key) => Extras.FirstOrDefault(kv => kv.Key == key).Value;
}
