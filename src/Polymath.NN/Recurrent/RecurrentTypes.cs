namespace Polymath.NN;

/// <summary>
/// The input of <see cref="RNN"/> and <see cref="GRU"/>: the sequence, an optional initial hidden state and optional
/// per-sequence lengths. A plain tensor converts implicitly, so <c>rnn.Call(x)</c> works.
/// </summary>
/// <param name="Input">[T, B, input_size] (or [B, T, input_size] with batch_first), or unbatched [T, input_size].</param>
/// <param name="H0">Initial hidden state [num_layers·num_directions, B, hidden_size] ([L·D, hidden_size] unbatched); zeros when null.</param>
/// <param name="Lengths">
/// Valid length of each sequence (1-D integer tensor of B values in 1..T, any order), as PyTorch's
/// <c>pack_padded_sequence(x, lengths, enforce_sorted=False)</c>: steps at or beyond a sequence's length leave its state
/// unchanged and give zero outputs, so h_n holds the state after each sequence's last valid step. Null: all are T long.
/// </param>
public sealed record RnnInput(Tensor Input, Tensor? H0 = null, Tensor? Lengths = null)
{
    /// <summary>A sequence with zero initial state and full lengths.</summary>
    public static implicit operator RnnInput(Tensor input) => new(input);
}

/// <summary>What <see cref="RNN"/> and <see cref="GRU"/> return, as PyTorch's <c>(output, h_n)</c>.</summary>
/// <param name="Output">[T, B, D·hidden_size] (batch_first: [B, T, D·hidden_size]): the last layer's hidden state at every step, both directions concatenated; zero at padded steps.</param>
/// <param name="HN">[num_layers·D, B, hidden_size]: each layer's and direction's final state (index layer·D + direction).</param>
public sealed record RnnOutput(Tensor Output, Tensor HN);

/// <summary>An LSTM's hidden and cell state, PyTorch's <c>(h, c)</c> tuple; each is [num_layers·D, B, hidden_size].</summary>
/// <param name="H">Hidden state.</param>
/// <param name="C">Cell state.</param>
public sealed record LstmState(Tensor H, Tensor C);

/// <summary>
/// The input of <see cref="LSTM"/>: the sequence, an optional initial (h_0, c_0) and optional per-sequence lengths
/// (see <see cref="RnnInput"/> for the shapes and the meaning of lengths). A plain tensor converts implicitly.
/// </summary>
/// <param name="Input">[T, B, input_size] (or [B, T, input_size] with batch_first), or unbatched [T, input_size].</param>
/// <param name="State">Initial (h_0, c_0), each [num_layers·D, B, hidden_size]; zeros when null.</param>
/// <param name="Lengths">Valid length of each sequence (1-D integer tensor of B values in 1..T); null: all are T long.</param>
public sealed record LstmInput(Tensor Input, LstmState? State = null, Tensor? Lengths = null)
{
    /// <summary>A sequence with zero initial state and full lengths.</summary>
    public static implicit operator LstmInput(Tensor input) => new(input);
}

/// <summary>What <see cref="LSTM"/> returns, as PyTorch's <c>(output, (h_n, c_n))</c>.</summary>
/// <param name="Output">[T, B, D·hidden_size] (batch_first: [B, T, D·hidden_size]); zero at padded steps.</param>
/// <param name="State">(h_n, c_n), each [num_layers·D, B, hidden_size].</param>
public sealed record LstmOutput(Tensor Output, LstmState State)
{
    /// <summary>h_n: [num_layers·D, B, hidden_size].</summary>
    public Tensor HN => State.H;

    /// <summary>c_n: [num_layers·D, B, hidden_size].</summary>
    public Tensor CN => State.C;
}
