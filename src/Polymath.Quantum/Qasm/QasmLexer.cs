using System.Globalization;

namespace Polymath.Quantum.OpenQasm;

internal enum TokenKind { Id, Real, Int, String, Symbol, End }

internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    public bool Is(string symbol) => (Kind == TokenKind.Symbol || Kind == TokenKind.Id) && Text == symbol;

    public string Describe() => Kind switch
    {
        TokenKind.End => "end of input",
        TokenKind.String => $"string \"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits OpenQASM 2.0 source into tokens; // and /* */ comments are skipped.</summary>
internal static class QasmLexer
{
    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, col = 1;
        void Advance(int n)
        {
            for (int k = 0; k < n; k++)
            {
                if (text[i] == '\n') { line++; col = 1; } else col++;
                i++;
            }
        }
        while (i < text.Length)
        {
            char ch = text[i];
            if (char.IsWhiteSpace(ch)) { Advance(1); continue; }
            if (ch == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') Advance(1);
                continue;
            }
            if (ch == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int l0 = line, c0 = col;
                Advance(2);
                while (i + 1 < text.Length && !(text[i] == '*' && text[i + 1] == '/')) Advance(1);
                if (i + 1 >= text.Length) throw new QasmException("unterminated /* comment: expected '*/'", l0, c0);
                Advance(2);
                continue;
            }
            int sl = line, sc = col, start = i;
            if (char.IsAsciiLetter(ch) || ch == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) Advance(1);
                tokens.Add(new Token(TokenKind.Id, text[start..i], sl, sc));
                continue;
            }
            if (char.IsAsciiDigit(ch) || (ch == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                bool real = false;
                while (i < text.Length && char.IsAsciiDigit(text[i])) Advance(1);
                if (i < text.Length && text[i] == '.')
                {
                    real = true;
                    Advance(1);
                    while (i < text.Length && char.IsAsciiDigit(text[i])) Advance(1);
                }
                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    int j = i + 1;
                    if (j < text.Length && (text[j] == '+' || text[j] == '-')) j++;
                    if (j >= text.Length || !char.IsAsciiDigit(text[j]))
                        throw new QasmException($"malformed number '{text[start..Math.Min(j + 1, text.Length)]}': expected digits after the exponent", sl, sc);
                    real = true;
                    Advance(j - i);
                    while (i < text.Length && char.IsAsciiDigit(text[i])) Advance(1);
                }
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
                    throw new QasmException($"malformed number: unexpected '{text[i]}' after '{text[start..i]}'", line, col);
                tokens.Add(new Token(real ? TokenKind.Real : TokenKind.Int, text[start..i], sl, sc));
                continue;
            }
            if (ch == '"')
            {
                Advance(1);
                while (i < text.Length && text[i] != '"' && text[i] != '\n') Advance(1);
                if (i >= text.Length || text[i] != '"') throw new QasmException("unterminated string: expected '\"'", sl, sc);
                tokens.Add(new Token(TokenKind.String, text[(start + 1)..i], sl, sc));
                Advance(1);
                continue;
            }
            if (ch == '-' && i + 1 < text.Length && text[i + 1] == '>') { Advance(2); tokens.Add(new Token(TokenKind.Symbol, "->", sl, sc)); continue; }
            if (ch == '=' && i + 1 < text.Length && text[i + 1] == '=') { Advance(2); tokens.Add(new Token(TokenKind.Symbol, "==", sl, sc)); continue; }
            if (";,()[]{}+-*/^".Contains(ch)) { Advance(1); tokens.Add(new Token(TokenKind.Symbol, ch.ToString(), sl, sc)); continue; }
            throw new QasmException($"unexpected character '{ch}' (U+{(int)ch:X4})", sl, sc);
        }
        tokens.Add(new Token(TokenKind.End, "", line, col));
        return tokens;
    }

    public static double ParseNumber(Token t) => double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
