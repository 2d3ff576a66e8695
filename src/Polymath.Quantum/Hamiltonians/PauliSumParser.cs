using System.Globalization;
using System.Numerics;

namespace Polymath.Quantum;

/// <summary>
/// Reads the text form of <see cref="PauliSum"/>: terms joined by + or −, each an optional coefficient (real, "0.5j",
/// or "(a±bj)") with an optional '*', then a dense word ("XZI") or sparse factors ("Z0 Z1", "X0*Y3"). Errors name the
/// term, its text and the character position.
/// </summary>
internal sealed class PauliSumParser
{
    private readonly string _text;
    private int _pos;
    private int _termNumber;
    private int _termStart;

    private PauliSumParser(string text) => _text = text;

    private sealed record RawTerm(Complex Coefficient, string? Dense, List<(char Pauli, int Qubit)>? Sparse, int Position);

    public static PauliSum Parse(string text, int? numQubits)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (numQubits is < 0 or > PauliString.MaxQubits)
            throw new ArgumentOutOfRangeException(nameof(numQubits), $"a PauliSum holds 0 to {PauliString.MaxQubits} qubits, not {numQubits}");
        return new PauliSumParser(text).Run(numQubits);
    }

    private PauliSum Run(int? numQubits)
    {
        var raw = new List<(RawTerm Term, int Number, int Start)>();
        SkipSpace();
        if (_pos == _text.Length) throw new FormatException("PauliSum.Parse: the text is empty; write \"0*I\" or use PauliSum.Zero(n) for the zero operator");
        while (true)
        {
            _termNumber++;
            _termStart = _pos;
            double sign = 1;
            if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-'))
            {
                if (_text[_pos] == '-') sign = -1;
                _pos++;
                SkipSpace();
            }
            var t = ReadTerm();
            raw.Add((t with { Coefficient = sign * t.Coefficient }, _termNumber, _termStart));
            SkipSpace();
            if (_pos == _text.Length) break;
            if (_text[_pos] != '+' && _text[_pos] != '-')
                Fail($"unexpected '{_text[_pos]}' after the term; expected '+' or '-' before the next term");
        }

        // The qubit count: fixed by dense words (all equal) or the caller, else the largest sparse index + 1.
        int? n = numQubits;
        foreach (var (t, number, start) in raw)
        {
            if (t.Dense is null) continue;
            if (n is null) n = t.Dense.Length;
            else if (t.Dense.Length != n)
                throw Error(number, start, t.Position, $"Pauli word '{t.Dense}' has {t.Dense.Length} letters, but {(numQubits is null ? "an earlier term has" : "the qubit count is")} {n}");
        }
        n ??= raw.Where(r => r.Term.Sparse is not null).SelectMany(r => r.Term.Sparse!).Select(f => f.Qubit + 1).DefaultIfEmpty(0).Max();
        if (n > PauliString.MaxQubits) throw new FormatException($"PauliSum.Parse: {n} qubits; at most {PauliString.MaxQubits} are supported");

        var terms = new List<PauliTerm>(raw.Count);
        foreach (var (t, number, start) in raw)
        {
            PauliString p;
            if (t.Dense is not null) p = PauliString.Parse(t.Dense);
            else if (t.Sparse is not null)
            {
                try { p = PauliString.FromSparse(n.Value, [.. t.Sparse]); }
                catch (ArgumentException e) { throw Error(number, start, t.Position, e.Message); }
            }
            else p = PauliString.Identity(n.Value);
            terms.Add(new PauliTerm(t.Coefficient, p));
        }
        return new PauliSum(n.Value, terms);
    }

    private RawTerm ReadTerm()
    {
        Complex coefficient = Complex.One;
        bool hasCoefficient = false, hasStar = false;
        if (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.' || _text[_pos] == '('))
        {
            coefficient = _text[_pos] == '(' ? ReadParenthesised() : ReadNumber(allowImaginary: true);
            hasCoefficient = true;
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == '*') { _pos++; SkipSpace(); hasStar = true; }
        }
        int pauliPos = _pos;
        if (_pos < _text.Length && IsPauliLetter(_text[_pos]))
        {
            string word = ReadWord();
            if (!word.Any(char.IsAsciiDigit))
            {
                foreach (var (ch, k) in word.Select((ch, k) => (ch, k)))
                    if (!IsPauliLetter(ch)) Fail($"letter '{ch}' is not I, X, Y or Z", pauliPos + k);
                return new RawTerm(coefficient, word.ToUpperInvariant(), null, pauliPos);
            }
            var factors = new List<(char, int)>();
            ParseSparseWord(word, pauliPos, factors);
            while (true)
            {
                // More factors may follow, separated by spaces or '*': "Z0 Z1", "Z0*Z1".
                int save = _pos;
                SkipSpace();
                if (_pos < _text.Length && _text[_pos] == '*') { _pos++; SkipSpace(); }
                if (_pos < _text.Length && IsPauliLetter(_text[_pos]) && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1]))
                {
                    int at = _pos;
                    ParseSparseWord(ReadWord(), at, factors);
                }
                else { _pos = save; break; }
            }
            return new RawTerm(coefficient, null, factors, pauliPos);
        }
        if (!hasCoefficient)
        {
            if (_pos == _text.Length) Fail("expected a coefficient or a Pauli string after the sign");
            Fail($"unexpected '{_text[_pos]}': expected a coefficient or a Pauli string of I, X, Y, Z");
        }
        if (_pos < _text.Length && char.IsLetter(_text[_pos])) Fail($"letter '{_text[_pos]}' is not I, X, Y or Z");
        if (hasStar) Fail("expected a Pauli string after '*'");
        return new RawTerm(coefficient, null, null, pauliPos);
    }

    private void ParseSparseWord(string word, int at, List<(char, int)> factors)
    {
        int k = 0;
        while (k < word.Length)
        {
            if (!IsPauliLetter(word[k])) Fail($"letter '{word[k]}' is not I, X, Y or Z", at + k);
            char letter = char.ToUpperInvariant(word[k]);
            int digits = k + 1;
            while (digits < word.Length && char.IsAsciiDigit(word[digits])) digits++;
            if (digits == k + 1) Fail($"sparse factor '{letter}' has no qubit index (write e.g. {letter}0)", at + k);
            if (!int.TryParse(word.AsSpan(k + 1, digits - k - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int q) || q >= PauliString.MaxQubits)
                Fail($"qubit index '{word[(k + 1)..digits]}' is beyond the {PauliString.MaxQubits}-qubit limit", at + k + 1);
            if (factors.Any(f => f.Item2 == q)) Fail($"qubit {q} appears twice in one term", at + k);
            factors.Add((letter, q));
            k = digits;
        }
    }

    private Complex ReadParenthesised()
    {
        int open = _pos++;
        Complex sum = Complex.Zero;
        bool any = false;
        while (true)
        {
            SkipSpace();
            if (_pos == _text.Length) Fail("unclosed '(' in the coefficient", open);
            if (_text[_pos] == ')') { _pos++; break; }
            double sign = 1;
            if (_text[_pos] == '+' || _text[_pos] == '-')
            {
                if (_text[_pos] == '-') sign = -1;
                _pos++;
                SkipSpace();
            }
            else if (any) Fail("expected '+', '-' or ')' in the complex coefficient");
            sum += sign * ReadNumber(allowImaginary: true);
            any = true;
        }
        if (!any) Fail("empty parentheses where a coefficient was expected", open);
        return sum;
    }

    private Complex ReadNumber(bool allowImaginary)
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.')) _pos++;
        if (_pos < _text.Length && (_text[_pos] == 'e' || _text[_pos] == 'E'))
        {
            int save = _pos++;
            if (_pos < _text.Length && (_text[_pos] == '+' || _text[_pos] == '-')) _pos++;
            if (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
                while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
            else _pos = save;
        }
        string s = _text[start.._pos];
        if (s.Length == 0) Fail("expected a number", start);
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double v))
            Fail($"'{s}' is not a number", start);
        if (allowImaginary && _pos < _text.Length && (_text[_pos] == 'j' || _text[_pos] == 'J'))
        {
            _pos++;
            return new Complex(0, v);
        }
        return new Complex(v, 0);
    }

    private string ReadWord()
    {
        int start = _pos;
        while (_pos < _text.Length && char.IsAsciiLetterOrDigit(_text[_pos])) _pos++;
        return _text[start.._pos];
    }

    private static bool IsPauliLetter(char c) => c is 'I' or 'X' or 'Y' or 'Z' or 'i' or 'x' or 'y' or 'z';

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private void Fail(string problem, int? at = null) => throw Error(_termNumber, _termStart, at ?? _pos, problem);

    private FormatException Error(int termNumber, int termStart, int position, string problem) =>
        new($"PauliSum.Parse: term {termNumber} ('{TermText(termStart)}') at position {position}: {problem}");

    /// <summary>The term's text: from its start to the next top-level '+'/'-' (not in parentheses or an exponent).</summary>
    private string TermText(int start)
    {
        int depth = 0, end = start;
        for (; end < _text.Length; end++)
        {
            char c = _text[end];
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if ((c == '+' || c == '-') && depth == 0 && end > start && !(_text[end - 1] is 'e' or 'E' && end >= 2 && (char.IsAsciiDigit(_text[end - 2]) || _text[end - 2] == '.')))
                break;
        }
        return _text[start..end].Trim();
    }
}
