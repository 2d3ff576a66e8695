#!/usr/bin/python3
"""Generates rnn_attention_golden.json: outputs and gradients of PyTorch's recurrent, attention and transformer modules.

Run once with Debian's PyTorch (1.13):
    /usr/bin/python3 tests/Polymath.NN.Tests/Fixtures/make_rnn_attention_golden.py

Every case stores the module's config, its state_dict (so the C# test loads it with LoadStateDict, which proves the
parameter names), the inputs, the outputs and, for the loss sum_k sum(output_k * weight_k) with seeded random weights,
the gradient of every floating input and of every parameter. Everything is float64; modules run in eval mode
(dropout off). Variable-length RNN cases go through pack_padded_sequence(enforce_sorted=False) and
pad_packed_sequence(total_length=T), which is what Polymath's `lengths` input means.
"""
import json
import math
import os
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(20240617)
torch.set_default_dtype(torch.float64)


def u(*shape):
    return (torch.rand(tuple(shape)) * 2.0 - 1.0).requires_grad_()


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [bool(v) for v in t.reshape(-1).tolist()]}
    if t.dtype == torch.int64:
        return {"shape": list(t.shape), "dtype": "int64", "data": t.reshape(-1).tolist()}
    # JSON has no infinities: non-finite values (masks of -inf) are stored as the strings "-inf", "inf", "nan".
    return {"shape": list(t.shape), "data": [float("%.12g" % v) if math.isfinite(v) else str(v) for v in t.reshape(-1).tolist()]}


CASES = []


def record(name, module, config, inputs, run):
    """inputs: dict name -> tensor (float ones get gradients); run(module, inputs) -> dict name -> output tensor."""
    module.eval()
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    outputs = run(module, inputs)
    loss = 0
    weights = {}
    for k, v in outputs.items():
        w = torch.rand(v.shape) * 2 - 1
        weights[k] = w
        loss = loss + (torch.nan_to_num(v) * w).sum()
    loss.backward()
    grads = {}
    for k, v in inputs.items():
        if v.dtype == torch.float64 and v.requires_grad:
            grads[k] = enc(v.grad if v.grad is not None else torch.zeros_like(v))
    for k, p in module.named_parameters():
        grads[k] = enc(p.grad if p.grad is not None else torch.zeros_like(p))
    CASES.append({
        "name": name,
        "config": config,
        "state_dict": {k: enc(v) for k, v in state.items()},
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "outputs": {k: enc(v) for k, v in outputs.items()},
        "output_weights": {k: enc(v) for k, v in weights.items()},
        "grads": grads,
    })


# ---------------- recurrent ----------------
def rnn_case(name, kind, T=5, B=3, I=3, H=4, layers=2, bidirectional=True, batch_first=False, lengths=None,
             with_h0=True, nonlinearity="tanh", bias=True):
    kwargs = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    if kind == "RNN":
        m = nn.RNN(I, H, nonlinearity=nonlinearity, **kwargs)
    else:
        m = getattr(nn, kind)(I, H, **kwargs)
    D = 2 if bidirectional else 1
    x = u(B, T, I) if batch_first else u(T, B, I)
    inputs = {"x": x}
    if with_h0:
        inputs["h0"] = u(layers * D, B, H)
        if kind == "LSTM":
            inputs["c0"] = u(layers * D, B, H)
    if lengths is not None:
        inputs["lengths"] = torch.tensor(lengths)

    def run(mod, inp):
        xx = inp["x"]
        state = None
        if "h0" in inp:
            state = (inp["h0"], inp["c0"]) if kind == "LSTM" else inp["h0"]
        if lengths is not None:
            xx = pack_padded_sequence(xx, inp["lengths"], batch_first=batch_first, enforce_sorted=False)
        out, st = mod(xx, state)
        if lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
        res = {"output": out}
        if kind == "LSTM":
            res["h_n"], res["c_n"] = st
        else:
            res["h_n"] = st
        return res

    config = dict(kind=kind, input_size=I, hidden_size=H, num_layers=layers, bidirectional=bidirectional,
                  batch_first=batch_first, nonlinearity=nonlinearity, bias=bias)
    record(name, m, config, inputs, run)


rnn_case("lstm_2layer_bidirectional_h0", "LSTM")
rnn_case("lstm_batch_first_lengths", "LSTM", batch_first=True, lengths=[5, 2, 4])
rnn_case("lstm_1layer_lengths_no_h0_no_bias", "LSTM", layers=1, bidirectional=False, lengths=[3, 5, 1], with_h0=False, bias=False)
rnn_case("gru_2layer_bidirectional_h0", "GRU", H=3)
rnn_case("gru_batch_first_lengths", "GRU", H=3, batch_first=True, lengths=[2, 5, 3])
rnn_case("rnn_tanh_2layer_bidirectional_lengths", "RNN", lengths=[4, 1, 5])
rnn_case("rnn_relu_batch_first_h0", "RNN", batch_first=True, nonlinearity="relu", bidirectional=False)


# ---------------- attention ----------------
def causal_float(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


def mha_case(name, E=8, heads=2, L=4, S=5, N=2, kdim=None, vdim=None, bias=True, batch_first=False, self_attn=False,
             key_padding=None, attn_mask=None, causal=False, average=True, need_weights=True):
    m = nn.MultiheadAttention(E, heads, bias=bias, batch_first=batch_first, kdim=kdim, vdim=vdim)
    kd, vd = kdim or E, vdim or E
    if self_attn:
        S = L

    def shape(n, f):
        return (N, n, f) if batch_first else (n, N, f)

    inputs = {"query": u(*shape(L, E))}
    if not self_attn:
        inputs["key"] = u(*shape(S, kd))
        inputs["value"] = u(*shape(S, vd))
    if key_padding is not None:
        inputs["key_padding_mask"] = torch.tensor(key_padding)
    if attn_mask is not None:
        inputs["attn_mask"] = attn_mask
    mask = causal_float(L) if causal else attn_mask

    def run(mod, inp):
        q = inp["query"]
        k = inp.get("key", q)
        v = inp.get("value", q)
        out, w = mod(q, k, v, key_padding_mask=inp.get("key_padding_mask"), need_weights=need_weights,
                     attn_mask=mask, average_attn_weights=average)
        res = {"output": out}
        if need_weights:
            res["weights"] = w
        return res

    config = dict(embed_dim=E, num_heads=heads, bias=bias, batch_first=batch_first, kdim=kd, vdim=vd,
                  self_attn=self_attn, is_causal=causal, average_attn_weights=average, need_weights=need_weights)
    record(name, m, config, inputs, run)


mha_case("mha_self_bool_masks", self_attn=True, key_padding=[[False, False, False, True], [False, True, False, False]],
         attn_mask=torch.tensor([[False, True, False, False], [False, False, False, True],
                                 [True, False, False, False], [False, False, True, False]]))
mha_case("mha_kdim_vdim_float_mask_batch_first_per_head", kdim=5, vdim=6, batch_first=True, average=False,
         attn_mask=torch.rand(4, 5) * 2 - 1, key_padding=[[False, False, True, False, False], [True, False, False, False, False]])
mha_case("mha_causal_no_bias_no_weights", self_attn=True, L=5, bias=False, causal=True, need_weights=False)


def sdpa_case(name, causal):
    q, k, v = u(2, 2, 4, 3), u(2, 2, 4, 3), u(2, 2, 4, 3)
    mask = torch.tensor([[False, False, True, False]] * 4)
    inputs = {"q": q, "k": k, "v": v, "attn_mask": mask}

    class Sdpa(nn.Module):
        def forward(self, q, k, v, m):
            s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
            s = s.masked_fill(m, float("-inf"))
            if causal:
                s = s + causal_float(4)
            return s.softmax(-1) @ v

    record(name, Sdpa(), dict(is_causal=causal), inputs,
           lambda mod, inp: {"output": mod(inp["q"], inp["k"], inp["v"], inp["attn_mask"])})


sdpa_case("sdpa_bool_mask", False)
sdpa_case("sdpa_bool_mask_causal", True)


# ---------------- transformer ----------------
def enc_case(name, norm_first, activation, batch_first):
    m = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1, activation=activation, batch_first=batch_first,
                                   norm_first=norm_first, layer_norm_eps=1e-5)
    src = u(2, 5, 8) if batch_first else u(5, 2, 8)
    inputs = {"src": src, "src_mask": causal_float(5),
              "src_key_padding_mask": torch.tensor([[False, False, False, False, True], [False, False, False, False, False]])}
    record(name, m, dict(d_model=8, nhead=2, dim_feedforward=16, activation=activation, batch_first=batch_first,
                         norm_first=norm_first), inputs,
           lambda mod, inp: {"output": mod(inp["src"], src_mask=inp["src_mask"], src_key_padding_mask=inp["src_key_padding_mask"])})


def dec_case(name, norm_first, activation, batch_first):
    m = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.1, activation=activation, batch_first=batch_first,
                                   norm_first=norm_first)
    tgt = u(2, 4, 8) if batch_first else u(4, 2, 8)
    memory = u(2, 5, 8) if batch_first else u(5, 2, 8)
    inputs = {"tgt": tgt, "memory": memory, "tgt_mask": causal_float(4),
              "memory_key_padding_mask": torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])}
    record(name, m, dict(d_model=8, nhead=2, dim_feedforward=16, activation=activation, batch_first=batch_first,
                         norm_first=norm_first), inputs,
           lambda mod, inp: {"output": mod(inp["tgt"], inp["memory"], tgt_mask=inp["tgt_mask"],
                                           memory_key_padding_mask=inp["memory_key_padding_mask"])})


enc_case("encoder_layer_post_norm_relu", False, "relu", False)
enc_case("encoder_layer_pre_norm_gelu_batch_first", True, "gelu", True)
dec_case("decoder_layer_post_norm_relu", False, "relu", False)
dec_case("decoder_layer_pre_norm_gelu_batch_first", True, "gelu", True)

tr = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=8, dropout=0.1)
record("transformer_2enc_1dec", tr, dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=8),
       {"src": u(5, 2, 8), "tgt": u(4, 2, 8), "tgt_mask": nn.Transformer.generate_square_subsequent_mask(4),
        "src_key_padding_mask": torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])},
       lambda mod, inp: {"output": mod(inp["src"], inp["tgt"], tgt_mask=inp["tgt_mask"],
                                       src_key_padding_mask=inp["src_key_padding_mask"],
                                       memory_key_padding_mask=inp["src_key_padding_mask"])})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rnn_attention_golden.json")
with open(path, "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
print(path, os.path.getsize(path), "bytes,", len(CASES), "cases")
