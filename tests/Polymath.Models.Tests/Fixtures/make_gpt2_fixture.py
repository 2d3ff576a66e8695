#!/usr/bin/python3
"""Writes a tiny randomly initialised GPT-2-shaped checkpoint and reference logits for Polymath's GPT tests.

Run with Debian's PyTorch (no transformers package needed):

    /usr/bin/python3 tests/Polymath.Models.Tests/Fixtures/make_gpt2_fixture.py

Outputs, next to this script:
  tiny_gpt2.safetensors  tensors under Hugging Face GPT2LMHeadModel names (transformer.wte.weight,
                         transformer.h.0.attn.c_attn.weight as Conv1D [in, out], ..., the attn.bias causal-mask
                         buffers HF keeps, no lm_head.weight since it is tied), in the safetensors format written by hand
                         (8-byte little-endian header length, JSON header with dtype/shape/data_offsets, raw data).
  tiny_gpt2_logits.json  the prompt and the float32 logits [T, vocab] of the forward pass below, plus the greedy
                         continuation of the prompt.
The forward pass is GPT-2's, written here from the paper/HF conventions: pre-norm blocks, Conv1D x @ W + b,
causal softmax attention with 1/sqrt(head) scaling, GELU tanh approximation ("gelu_new"), final ln_f, tied head.
"""
import json
import math
import os
import struct

import torch

VOCAB, CTX, EMBD, LAYERS, HEADS = 61, 16, 32, 2, 4
HERE = os.path.dirname(os.path.abspath(__file__))


def make_weights():
    g = torch.Generator().manual_seed(20240601)

    def normal(*shape, std=0.02):
        return torch.randn(*shape, generator=g) * std

    w = {"transformer.wte.weight": normal(VOCAB, EMBD), "transformer.wpe.weight": normal(CTX, EMBD)}
    for i in range(LAYERS):
        p = f"transformer.h.{i}."
        # Non-trivial layer-norm affine parameters so a transposed or misplaced tensor shows up in the logits.
        w[p + "ln_1.weight"] = 1 + normal(EMBD, std=0.1)
        w[p + "ln_1.bias"] = normal(EMBD, std=0.1)
        w[p + "attn.bias"] = torch.tril(torch.ones(CTX, CTX, dtype=torch.bool)).view(1, 1, CTX, CTX)
        w[p + "attn.c_attn.weight"] = normal(EMBD, 3 * EMBD, std=0.2)
        w[p + "attn.c_attn.bias"] = normal(3 * EMBD, std=0.1)
        w[p + "attn.c_proj.weight"] = normal(EMBD, EMBD, std=0.1)
        w[p + "attn.c_proj.bias"] = normal(EMBD, std=0.1)
        w[p + "ln_2.weight"] = 1 + normal(EMBD, std=0.1)
        w[p + "ln_2.bias"] = normal(EMBD, std=0.1)
        w[p + "mlp.c_fc.weight"] = normal(EMBD, 4 * EMBD, std=0.1)
        w[p + "mlp.c_fc.bias"] = normal(4 * EMBD, std=0.1)
        w[p + "mlp.c_proj.weight"] = normal(4 * EMBD, EMBD, std=0.1)
        w[p + "mlp.c_proj.bias"] = normal(EMBD, std=0.1)
    w["transformer.ln_f.weight"] = 1 + normal(EMBD, std=0.1)
    w["transformer.ln_f.bias"] = normal(EMBD, std=0.1)
    w["transformer.wte.weight"] *= 10  # logits of a reasonable spread through the tied head
    return w


def forward(w, ids):
    t = ids.shape[0]
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:t]
    d = EMBD // HEADS
    for i in range(LAYERS):
        p = f"transformer.h.{i}."
        h = torch.nn.functional.layer_norm(x, (EMBD,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], 1e-5)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(EMBD, dim=-1)
        q, k, v = (z.view(t, HEADS, d).transpose(0, 1) for z in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)
        scores = scores.masked_fill(~w[p + "attn.bias"][0, 0, :t, :t], float("-inf"))
        a = torch.softmax(scores, dim=-1) @ v
        a = a.transpose(0, 1).reshape(t, EMBD)
        x = x + a @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = torch.nn.functional.layer_norm(x, (EMBD,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], 1e-5)
        m = torch.nn.functional.gelu(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"], approximate="tanh")
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = torch.nn.functional.layer_norm(x, (EMBD,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], 1e-5)
    return x @ w["transformer.wte.weight"].T


def save_safetensors(path, tensors):
    names = sorted(tensors)
    header, blobs, offset = {}, [], 0
    for name in names:
        t = tensors[name].contiguous()
        dtype = {torch.float32: "F32", torch.bool: "BOOL"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # the spec pads the header with spaces to an 8-byte boundary
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main():
    torch.set_grad_enabled(False)
    w = make_weights()
    prompt = [3, 14, 15, 9, 26, 53, 58, 9, 7, 9]
    logits = forward(w, torch.tensor(prompt))
    tokens = list(prompt)
    while len(tokens) < CTX:
        tokens.append(int(forward(w, torch.tensor(tokens))[-1].argmax()))
    save_safetensors(os.path.join(HERE, "tiny_gpt2.safetensors"), w)
    with open(os.path.join(HERE, "tiny_gpt2_logits.json"), "w") as f:
        json.dump({"torch": torch.__version__, "config": {"vocab_size": VOCAB, "n_positions": CTX, "n_embd": EMBD, "n_layer": LAYERS, "n_head": HEADS},
                   "prompt": prompt, "logits": [[float(v) for v in row] for row in logits], "greedy": tokens}, f)


if __name__ == "__main__":
    main()
