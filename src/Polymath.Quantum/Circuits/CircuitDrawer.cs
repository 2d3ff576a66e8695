using System.Globalization;
using System.Text;

namespace Polymath.Quantum;

/// <summary>
/// Draws a <see cref="Circuit"/> as text, in the spirit of Qiskit's text drawer. Every qubit and every classical bit has
/// a wire of three text lines, labelled "q_0: ", "c_1: " (register name, underscore, index; labels right-aligned);
/// quantum wires are drawn with '─', classical wires with '═'. Instructions are placed left-justified in columns: an
/// instruction goes in the first column after everything already drawn on the wires it spans.
/// <list type="bullet">
/// <item>A one-qubit gate is a box with its name and parameters (angles as multiples of π when they are, e.g. "Rz(π/4)").</item>
/// <item>A controlled gate puts '●' on each control and a vertical line '│' to the box of its base gate; a controlled
/// SWAP puts 'X' on the swapped qubits; a multi-qubit gate is one tall box with its qubit numbers on the left.</item>
/// <item>A measurement is a box "M" with a double line '║' down to '╩' on the classical bit written.</item>
/// <item>A reset is "|0>" on the wire; a barrier is '░' on each of its qubits.</item>
/// <item>A condition is a double line from the instruction down to its classical bits, '■' on a bit that must be 1 and
/// '○' on a bit that must be 0.</item>
/// </list>
/// Lines carry no trailing spaces and are joined with '\n'; empty lines at the end are dropped.
/// </summary>
public static class CircuitDrawer
{
    private enum Link { None, Single, Double }

    /// <summary>One instruction's drawing on one wire: three lines of equal, odd width.</summary>
    private readonly record struct Cell(string Top, string Mid, string Bot)
    {
        public int Width => Mid.Length;
    }

    /// <summary>
    /// The text drawing of <paramref name="circuit"/> (see <see cref="CircuitDrawer"/>). With <paramref name="fold"/> &gt; 0
    /// the columns are split into pages of at most that many characters per line (a column wider than that gets a
    /// page of its own); pages are separated by an empty line and repeat the wire labels.
    /// </summary>
    public static string Draw(Circuit circuit, int fold = 0)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentOutOfRangeException.ThrowIfNegative(fold);
        int nq = circuit.NumQubits, rows = nq + circuit.NumClbits;
        if (rows == 0) return "";
        var layers = new List<Dictionary<int, Cell>>();
        var nextFree = new int[rows];
        foreach (var ins in circuit.Instructions)
        {
            var cells = Cells(ins, nq);
            int lo = cells.Keys.Min(), hi = cells.Keys.Max();
            int layer = 0;
            for (int r = lo; r <= hi; r++) layer = Math.Max(layer, nextFree[r]);
            for (int r = lo; r <= hi; r++) nextFree[r] = layer + 1;
            while (layers.Count <= layer) layers.Add([]);
            foreach (var (r, cell) in cells) layers[layer][r] = cell;
        }

        var labels = new string[rows];
        foreach (var reg in circuit.QuantumRegisters) for (int i = 0; i < reg.Size; i++) labels[reg[i]] = $"{reg.Name}_{i}: ";
        foreach (var reg in circuit.ClassicalRegisters) for (int i = 0; i < reg.Size; i++) labels[nq + reg[i]] = $"{reg.Name}_{i}: ";
        int labelWidth = labels.Max(l => l.Length);

        // Pages of consecutive columns; each column costs its width plus one wire character after it.
        var pages = new List<List<Dictionary<int, Cell>>> { new() };
        int used = labelWidth + 1;
        foreach (var layer in layers)
        {
            int width = layer.Values.Max(c => c.Width) + 1;
            if (fold > 0 && pages[^1].Count > 0 && used + width > fold) { pages.Add([]); used = labelWidth + 1; }
            pages[^1].Add(layer);
            used += width;
        }

        var sb = new StringBuilder();
        foreach (var page in pages)
        {
            if (sb.Length > 0) sb.Append('\n');
            for (int r = 0; r < rows; r++)
            {
                char wire = r < nq ? '─' : '═';
                var top = new StringBuilder(new string(' ', labelWidth));
                var mid = new StringBuilder(labels[r].PadLeft(labelWidth));
                var bot = new StringBuilder(new string(' ', labelWidth));
                top.Append(' '); mid.Append(wire); bot.Append(' ');
                foreach (var layer in page)
                {
                    int width = layer.Values.Max(c => c.Width);
                    var cell = layer.TryGetValue(r, out var c) ? c : new Cell(" ", wire.ToString(), " ");
                    int left = (width - cell.Width) / 2, right = width - cell.Width - left;
                    top.Append(' ', left).Append(cell.Top).Append(' ', right + 1);
                    mid.Append(wire, left).Append(cell.Mid).Append(wire, right + 1);
                    bot.Append(' ', left).Append(cell.Bot).Append(' ', right + 1);
                }
                sb.Append(top.ToString().TrimEnd()).Append('\n');
                sb.Append(mid.ToString().TrimEnd()).Append('\n');
                sb.Append(bot.ToString().TrimEnd()).Append('\n');
            }
        }
        return sb.ToString().TrimEnd('\n');   // the last wire's bottom line is often empty
    }

    /// <summary>The cells of one instruction, by row (qubit rows first, then classical rows); rows in between are crossings.</summary>
    private static Dictionary<int, Cell> Cells(Instruction ins, int nq)
    {
        var cells = new Dictionary<int, Cell>();
        var qubits = ins.Qubits.ToArray();
        if (ins.Kind == InstructionKind.Barrier)
        {
            foreach (int q in qubits) cells[q] = new Cell("░", "░", "░");
            return cells;
        }

        // Quantum part: symbols on some rows, possibly one tall box over [boxLo, boxHi].
        var symbols = new Dictionary<int, string>();   // row → symbol drawn with connectors above/below (●, X, |0>)
        var boxes = new Dictionary<int, string>();     // row → one-row box label
        int boxLo = -1, boxHi = -1;
        string tallLabel = "";
        var tallIndex = new Dictionary<int, int>();
        bool measureBox = false;
        switch (ins.Kind)
        {
            case InstructionKind.Measure: measureBox = true; break;
            case InstructionKind.Reset: symbols[qubits[0]] = "|0>"; break;
            default:
            {
                var gate = ins.Gate!;
                int nc = gate is ControlledGate cg ? cg.NumControls : 0;
                var baseGate = gate is ControlledGate cg2 ? cg2.BaseGate : gate;
                var targets = qubits[nc..];
                bool controlInsideBase = targets.Length > 1 && qubits[..nc].Any(c => c > targets.Min() && c < targets.Max());
                if (controlInsideBase || (targets.Length > 1 && baseGate is not SwapGate))
                {
                    if (controlInsideBase) { targets = qubits; nc = 0; baseGate = gate; }
                    boxLo = targets.Min(); boxHi = targets.Max();
                    tallLabel = Label(baseGate);
                    for (int j = 0; j < targets.Length; j++) tallIndex[targets[j]] = j;
                }
                else if (baseGate is SwapGate) { symbols[targets[0]] = "X"; symbols[targets[1]] = "X"; }
                else boxes[targets[0]] = Label(baseGate);
                for (int j = 0; j < nc; j++) symbols[qubits[j]] = "●";
                break;
            }
        }

        // Classical part: the bit a measurement writes and the bits a condition reads.
        var classical = new Dictionary<int, string>();
        if (ins.Condition is { } cond)
            for (int i = 0; i < cond.Clbits.Count; i++) classical[nq + cond.Clbits[i]] = (cond.Value >> i & 1) != 0 ? "■" : "○";
        if (measureBox) classical[nq + ins.Clbits[0]] = "╩";

        int qLo = qubits.Min(), qHi = qubits.Max();
        int hi = classical.Count > 0 ? classical.Keys.Max() : qHi;
        // The link between row r and r + 1: single inside the quantum span (except inside a tall box), double below it.
        Link Between(int r) =>
            r >= qLo && r + 1 <= qHi ? (r >= boxLo && r + 1 <= boxHi && boxLo >= 0 ? Link.None : Link.Single)
            : r >= qHi && r + 1 <= hi ? Link.Double
            : Link.None;

        int tallInner = 0;
        if (boxLo >= 0)
        {
            int iw = tallIndex.Values.Max().ToString(CultureInfo.InvariantCulture).Length;
            tallInner = Odd(iw + tallLabel.Length + 3);
        }
        for (int r = qLo; r <= hi; r++)
        {
            Link up = r > qLo ? Between(r - 1) : Link.None, down = Between(r);
            if (r >= boxLo && r <= boxHi && boxLo >= 0) cells[r] = TallBoxRow(r, boxLo, boxHi, tallInner, tallIndex, tallLabel, up, down);
            else if (measureBox && r == qubits[0]) cells[r] = new Cell("┌─┐", "┤M├", "└╥┘");
            else if (boxes.TryGetValue(r, out var label)) cells[r] = Box(label, up, down);
            else if (symbols.TryGetValue(r, out var sym)) cells[r] = Symbol(sym, up, down);
            else if (classical.TryGetValue(r, out var csym)) cells[r] = Symbol(csym == "╩" && down != Link.None ? "╬" : csym, up, down);
            else cells[r] = Symbol(r < nq ? (up == Link.Double ? "╫" : "┼") : "╬", up, down);
        }
        return cells;
    }

    private static int Odd(int w) => w % 2 == 1 ? w : w + 1;

    private static char Vertical(Link l) => l switch { Link.Single => '│', Link.Double => '║', _ => ' ' };

    /// <summary>A symbol with the vertical connectors centred above and below it.</summary>
    private static Cell Symbol(string s, Link up, Link down)
    {
        int w = s.Length, c = w / 2;
        string Line(Link l) => new string(' ', c) + Vertical(l) + new string(' ', w - c - 1);
        return new Cell(Line(up), s, Line(down));
    }

    private static Cell Box(string label, Link up, Link down)
    {
        int inner = Odd(label.Length + 2);
        return new Cell(Border('┌', '┐', inner, up, true), "┤ " + label.PadRight(inner - 1) + "├", Border('└', '┘', inner, down, false));
    }

    /// <summary>A horizontal box border with the connector (if any) in the middle.</summary>
    private static string Border(char left, char right, int inner, Link link, bool top)
    {
        var chars = (left + new string('─', inner) + right).ToCharArray();
        if (link != Link.None) chars[chars.Length / 2] = (link, top) switch
        {
            (Link.Single, true) => '┴', (Link.Single, false) => '┬', (Link.Double, true) => '╨', _ => '╥',
        };
        return new string(chars);
    }

    private static Cell TallBoxRow(int r, int lo, int hi, int inner, Dictionary<int, int> index, string label, Link up, Link down)
    {
        string side = "│" + new string(' ', inner) + "│";
        string top = r == lo ? Border('┌', '┐', inner, up, true) : side;
        string bot = r == hi ? Border('└', '┘', inner, down, false) : side;
        string mid;
        if (index.TryGetValue(r, out int j))
        {
            string idx = j.ToString(CultureInfo.InvariantCulture);
            string text = idx.PadRight(inner - label.Length - 2) + (r == lo ? label : new string(' ', label.Length));
            mid = "┤" + text.PadRight(inner) + "├";
        }
        else mid = side;
        return new Cell(top, mid, bot);
    }

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["id"] = "I", ["sdg"] = "Sdg", ["tdg"] = "Tdg", ["sx"] = "√X", ["sxdg"] = "√Xdg", ["u_phase"] = "U", ["iswap"] = "iSwap",
    };

    /// <summary>"H", "Rz(π/4)", "U(0.1,π,0)": the capitalised name and the parameters.</summary>
    internal static string Label(Gate gate)
    {
        string name = Names.TryGetValue(gate.Name, out var n) ? n : char.ToUpperInvariant(gate.Name[0]) + gate.Name[1..];
        return gate.Params.Count == 0 ? name : $"{name}({string.Join(",", gate.Params.Select(FormatParameter))})";
    }

    /// <summary>A bound angle as a small multiple of π when it is one ("π/2", "-3π/4"), else up to 4 decimals; a free one as its expression.</summary>
    internal static string FormatParameter(ParameterExpression p)
    {
        if (!p.IsBound) return p.ToString();
        double v = p.Value;
        if (v == 0) return "0";
        for (int d = 1; d <= 16; d++)
        {
            double k = v * d / Math.PI;
            double n = Math.Round(k);
            if (n != 0 && Math.Abs(n) <= 64 && Math.Abs(k - n) < 1e-9)
            {
                string sign = n < 0 ? "-" : "";
                string num = Math.Abs(n) == 1 ? "" : Math.Abs(n).ToString(CultureInfo.InvariantCulture);
                return sign + num + "π" + (d == 1 ? "" : "/" + d.ToString(CultureInfo.InvariantCulture));
            }
        }
        return Math.Abs(v) >= 1e-3 ? v.ToString("0.####", CultureInfo.InvariantCulture) : v.ToString("0.###E+0", CultureInfo.InvariantCulture);
    }
}
