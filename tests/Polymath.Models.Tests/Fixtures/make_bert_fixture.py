#!/usr/bin/python3
"""Writes a tiny randomly initialised BERT-shaped checkpoint and reference outputs for Polymath's BERT tests.

Run with Debian's PyTorch (no transformers package needed):

    /usr/bin/python3 tests/Polymath.Models.Tests/Fixtures/make_bert_fixture.py

Outputs, next to this script:
  tiny_bert.safetensors  tensors under Hugging Face BertForPreTraining names, as bert-base-uncased ships them:
                         bert.embeddings.{word,position,token_type}_embeddings.weight, bert.embeddings.LayerNorm.*,
                         the bert.embeddings.position_ids buffer, bert.encoder.layer.N.attention.self.{query,key,value}.*
                         (nn.Linear, weight [out, in]), ...attention.output.{dense,LayerNorm}.*, ...intermediate.dense.*,
                         ...output.{dense,LayerNorm}.*, bert.pooler.dense.*, cls.predictions.transform.{dense,LayerNorm}.*,
                         cls.predictions.bias, cls.predictions.decoder.{weight,bias} (tied copies) and the next-sentence
                         head cls.seq_relationship.*; safetensors written by hand.
  tiny_bert_reference.json  two padded input sequences with segment ids and attention mask, and the float32 outputs of
                         the forward pass below: last hidden states [B, T, H], pooled [CLS] [B, H], MLM logits [B, T, V].
The forward pass is BERT's, written here from the paper / HF conventions: word + position + token-type embeddings,
LayerNorm (eps 1e-12); per layer: softmax(q k^T / sqrt(d) + (1 - mask) * finfo.min) v, dense, LayerNorm(x + .),
dense, exact erf GELU, dense, LayerNorm(x + .); pooler tanh(dense(h[:, 0])); MLM head dense, GELU, LayerNorm, tied decoder + bias.
"""
import json
import math
import os
import struct

import torch

VOCAB, HIDDEN, LAYERS, HEADS, INTER, MAXPOS, TYPES, EPS = 50, 32, 2, 4, 48, 24, 2, 1e-12
HERE = os.path.dirname(os.path.abspath(__file__))


def make_weights():
    g = torch.Generator().manual_seed(20261122)

    def normal(*shape, std=0.1):
        return torch.randn(*shape, generator=g) * std

    def ln(prefix):
        # Non-trivial affine parameters so a misplaced tensor shows up in the outputs.
        w[prefix + ".weight"] = 1 + normal(HIDDEN)
        w[prefix + ".bias"] = normal(HIDDEN)

    def linear(prefix, fan_in, fan_out, std=0.2):
        w[prefix + ".weight"] = normal(fan_out, fan_in, std=std)
        w[prefix + ".bias"] = normal(fan_out)

    w = {}
    w["bert.embeddings.word_embeddings.weight"] = normal(VOCAB, HIDDEN, std=0.5)
    w["bert.embeddings.position_embeddings.weight"] = normal(MAXPOS, HIDDEN, std=0.5)
    w["bert.embeddings.token_type_embeddings.weight"] = normal(TYPES, HIDDEN, std=0.5)
    w["bert.embeddings.position_ids"] = torch.arange(MAXPOS).view(1, -1)
    ln("bert.embeddings.LayerNorm")
    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}."
        for name in ("query", "key", "value"):
            linear(p + "attention.self." + name, HIDDEN, HIDDEN, std=0.4)
        linear(p + "attention.output.dense", HIDDEN, HIDDEN)
        ln(p + "attention.output.LayerNorm")
        linear(p + "intermediate.dense", HIDDEN, INTER)
        linear(p + "output.dense", INTER, HIDDEN)
        ln(p + "output.LayerNorm")
    linear("bert.pooler.dense", HIDDEN, HIDDEN)
    linear("cls.predictions.transform.dense", HIDDEN, HIDDEN)
    ln("cls.predictions.transform.LayerNorm")
    w["cls.predictions.bias"] = normal(VOCAB)
    w["cls.predictions.decoder.weight"] = w["bert.embeddings.word_embeddings.weight"].clone()
    w["cls.predictions.decoder.bias"] = w["cls.predictions.bias"].clone()
    linear("cls.seq_relationship", HIDDEN, 2)
    return w


def gelu(x):
    return torch.nn.functional.gelu(x)  # exact (erf) form, HF's "gelu"


def forward(w, ids, types, mask):
    b, t = ids.shape
    x = w["bert.embeddings.word_embeddings.weight"][ids] + w["bert.embeddings.position_embeddings.weight"][:t] \
        + w["bert.embeddings.token_type_embeddings.weight"][types]
    x = torch.nn.functional.layer_norm(x, (HIDDEN,), w["bert.embeddings.LayerNorm.weight"], w["bert.embeddings.LayerNorm.bias"], EPS)
    additive = (1.0 - mask.float()).view(b, 1, 1, t) * torch.finfo(torch.float32).min
    d = HIDDEN // HEADS

    def lin(prefix, z):
        return z @ w[prefix + ".weight"].T + w[prefix + ".bias"]

    def norm(prefix, z):
        return torch.nn.functional.layer_norm(z, (HIDDEN,), w[prefix + ".weight"], w[prefix + ".bias"], EPS)

    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}."
        q, k, v = (lin(p + "attention.self." + n, x).view(b, t, HEADS, d).transpose(1, 2) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + additive
        a = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        a = norm(p + "attention.output.LayerNorm", lin(p + "attention.output.dense", a) + x)
        h = gelu(lin(p + "intermediate.dense", a))
        x = norm(p + "output.LayerNorm", lin(p + "output.dense", h) + a)
    pooled = torch.tanh(lin("bert.pooler.dense", x[:, 0]))
    h = norm("cls.predictions.transform.LayerNorm", gelu(lin("cls.predictions.transform.dense", x)))
    logits = h @ w["bert.embeddings.word_embeddings.weight"].T + w["cls.predictions.bias"]
    return x, pooled, logits


def save_safetensors(path, tensors):
    names = sorted(tensors)
    header, blobs, offset = {}, [], 0
    for name in names:
        t = tensors[name].contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
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
    # [CLS]=2 ... [SEP]=3, [PAD]=0; the second sequence is a pair (segment 1 after the first [SEP]) padded by 3.
    ids = torch.tensor([[2, 17, 5, 33, 41, 8, 12, 3, 29, 9, 44, 3],
                        [2, 7, 48, 21, 3, 15, 36, 11, 3, 0, 0, 0]])
    types = torch.tensor([[0] * 12, [0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0]])
    mask = torch.tensor([[1] * 12, [1] * 9 + [0] * 3])
    hidden, pooled, logits = forward(w, ids, types, mask)
    save_safetensors(os.path.join(HERE, "tiny_bert.safetensors"), w)

    def rounded(t):
        return [float(f"{v:.7g}") for v in t.reshape(-1).tolist()]

    with open(os.path.join(HERE, "tiny_bert_reference.json"), "w") as f:
        json.dump({"torch": torch.__version__,
                   "config": {"vocab_size": VOCAB, "hidden_size": HIDDEN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
                              "intermediate_size": INTER, "max_position_embeddings": MAXPOS, "type_vocab_size": TYPES, "layer_norm_eps": EPS},
                   "input_ids": ids.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(),
                   "last_hidden_state": rounded(hidden), "pooler_output": rounded(pooled), "logits": rounded(logits)}, f)


if __name__ == "__main__":
    main()
