namespace Polymath;

public sealed partial class Tensor
{
    /// <summary>
    /// Einstein summation over one or two operands, e.g. "ij,jk->ik", "bij,bjk->bik", "bhqd,bhkd->bhqk",
    /// "i,j->ij", "ii->" is not supported (no repeated index within an operand). Without "->" the output has
    /// the indices that occur once, in alphabetical order. Composed from permute, sum, reshape and matmul.
    /// </summary>
    /// <exception cref="ArgumentException">A malformed equation, a wrong operand count, or mismatched sizes.</exception>
    public static Tensor Einsum(string equation, params Tensor[] operands)
    {
        string eq = equation.Replace(" ", "");
        string[] sides = eq.Split("->");
        if (sides.Length > 2)
            throw new ArgumentException($"einsum: \"{equation}\" has more than one \"->\".");
        if (eq.Contains("..."))
            throw new ArgumentException($"einsum: ellipsis (\"...\") in \"{equation}\" is not supported; name every dim.");
        foreach (char c in sides[0])
            if (!char.IsLetter(c) && c != ',')
                throw new ArgumentException($"einsum: invalid subscript '{c}' in \"{equation}\" (subscripts are letters).");
        string[] inputs = sides[0].Split(',');
        if (inputs.Length != operands.Length || inputs.Length is < 1 or > 2)
            throw new ArgumentException($"einsum: \"{equation}\" names {inputs.Length} operands but {operands.Length} were given (1 or 2 are supported).");
        var sizes = new Dictionary<char, int>();
        for (int o = 0; o < inputs.Length; o++)
        {
            if (inputs[o].Length != operands[o].Rank)
                throw new ArgumentException($"einsum: operand {o} has rank {operands[o].Rank} but its subscripts \"{inputs[o]}\" name {inputs[o].Length} dims.");
            if (inputs[o].Distinct().Count() != inputs[o].Length)
                throw new ArgumentException($"einsum: repeated subscript in \"{inputs[o]}\" (diagonals) is not supported.");
            for (int i = 0; i < inputs[o].Length; i++)
            {
                char c = inputs[o][i];
                int n = operands[o].Sh[i];
                if (sizes.TryGetValue(c, out int prev) && prev != n && prev != 1 && n != 1)
                    throw new ArgumentException($"einsum: subscript '{c}' has size {prev} in one place and {n} in operand {o}.");
                sizes[c] = Math.Max(prev, n);
            }
        }
        string output = sides.Length > 1
            ? sides[1]
            : new string(sizes.Keys.Where(c => inputs.Sum(s => s.Count(x => x == c)) == 1).OrderBy(c => c).ToArray());
        if (output.Distinct().Count() != output.Length)
            throw new ArgumentException($"einsum: output subscripts \"{output}\" of \"{equation}\" repeat a subscript (each output dim must be named once).");
        foreach (char c in output)
            if (!sizes.ContainsKey(c))
                throw new ArgumentException($"einsum: output subscript '{c}' does not appear in the inputs of \"{equation}\".");

        if (operands.Length == 1)
            return SumAndPermute(operands[0], inputs[0], output);

        string a = inputs[0], b = inputs[1];
        // Sum away indices found in one operand only and not in the output, before the product.
        var ta = SumAndPermute(operands[0], a, new string(a.Where(c => b.Contains(c) || output.Contains(c)).ToArray()));
        var tb = SumAndPermute(operands[1], b, new string(b.Where(c => a.Contains(c) || output.Contains(c)).ToArray()));
        a = new string(a.Where(c => b.Contains(c) || output.Contains(c)).ToArray());
        b = new string(b.Where(c => a.Contains(c) || output.Contains(c)).ToArray());
        string batch = new(a.Where(c => b.Contains(c) && output.Contains(c)).ToArray());
        string contracted = new(a.Where(c => b.Contains(c) && !output.Contains(c)).ToArray());
        string left = new(a.Where(c => !b.Contains(c)).ToArray());
        string right = new(b.Where(c => !a.Contains(c)).ToArray());
        int Prod(string s) => s.Aggregate(1, (p, c) => p * sizes[c]);
        // [batch, left, contracted] @ [batch, contracted, right] -> [batch, left, right]
        var pa = SumAndPermute(ta, a, batch + left + contracted).Expand([.. (batch + left + contracted).Select(c => sizes[c])]).Reshape(Prod(batch), Prod(left), Prod(contracted));
        var pb = SumAndPermute(tb, b, batch + contracted + right).Expand([.. (batch + contracted + right).Select(c => sizes[c])]).Reshape(Prod(batch), Prod(contracted), Prod(right));
        var product = pa.MatMul(pb).Reshape([.. (batch + left + right).Select(c => sizes[c])]);
        return SumAndPermute(product, batch + left + right, output);
    }

    // Sums the subscripts of `have` missing from `want`, then permutes to `want`'s order.
    private static Tensor SumAndPermute(Tensor t, string have, string want)
    {
        var drop = Enumerable.Range(0, have.Length).Where(i => !want.Contains(have[i])).ToArray();
        if (drop.Length > 0)
        {
            t = t.Sum(drop);
            have = new string(have.Where(c => want.Contains(c)).ToArray());
        }
        if (have == want)
            return t;
        return t.Permute(want.Select(c => have.IndexOf(c)).ToArray());
    }
}
