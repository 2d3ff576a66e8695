#!/usr/bin/python3
"""The masked-language-model training step of `polymath pretrain bert` (default shapes), in PyTorch, for `polymath bench`.

    /usr/bin/python3 bench/peers/bert_mlm.py --workload bert_mlm --threads 2 --steps 20 --warmup 3 --json

Model (the same as Polymath.Models.Bert.BertForMaskedLM with BertConfig{VocabSize=2000, HiddenSize=128,
NumHiddenLayers=4, NumAttentionHeads=4, IntermediateSize=512, MaxPositionEmbeddings=128}, no dropout): word + position +
token-type embeddings and LayerNorm (eps 1e-12), 4 post-norm layers (separate query/key/value Linear, softmax attention
with an additive padding mask, dense + LayerNorm with the residual, 128-512-128 feed-forward with exact erf GELU), MLM
head dense + GELU + LayerNorm and a decoder tied to the word embedding plus bias, evaluated at the labelled positions only
(as BertForMaskedLM.Loss). Step: zero_grad + forward + cross-entropy + backward + clip_grad_norm_(1.0) + AdamW(lr 1e-3,
betas (0.9, 0.99), weight decay 0.1 on matrices), float32, batch 32 of 128 random tokens with every 7th position
labelled (about 15%) and an all-ones attention mask. The timing and output are gpt_char.run's.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt_char  # noqa: E402  (the shared timing harness)

VOCAB, CTX, HIDDEN, LAYERS, HEADS, INTER, BATCH = 2000, 128, 128, 4, 4, 512, 32


def build():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.query, self.key, self.value = nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN), nn.Linear(HIDDEN, HIDDEN)
            self.attn_out, self.attn_ln = nn.Linear(HIDDEN, HIDDEN), nn.LayerNorm(HIDDEN, eps=1e-12)
            self.inter, self.out, self.out_ln = nn.Linear(HIDDEN, INTER), nn.Linear(INTER, HIDDEN), nn.LayerNorm(HIDDEN, eps=1e-12)

        def forward(self, x, additive):
            b, t, c = x.shape
            d = c // HEADS
            q, k, v = (p(x).view(b, t, HEADS, d).transpose(1, 2) for p in (self.query, self.key, self.value))
            att = F.softmax(q @ k.transpose(-2, -1) / math.sqrt(d) + additive, dim=-1)
            a = self.attn_ln(self.attn_out((att @ v).transpose(1, 2).reshape(b, t, c)) + x)
            return self.out_ln(self.out(F.gelu(self.inter(a))) + a)

    class Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.word, self.pos, self.types = nn.Embedding(VOCAB, HIDDEN, padding_idx=0), nn.Embedding(CTX, HIDDEN), nn.Embedding(2, HIDDEN)
            self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
            self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
            self.transform, self.transform_ln = nn.Linear(HIDDEN, HIDDEN), nn.LayerNorm(HIDDEN, eps=1e-12)
            self.bias = nn.Parameter(torch.zeros(VOCAB))

        def loss(self, ids, mask, positions, targets):
            b, t = ids.shape
            x = self.ln(self.word(ids) + self.pos(torch.arange(t)) + self.types.weight[0])
            additive = (1.0 - mask.float()).view(b, 1, 1, t) * torch.finfo(torch.float32).min
            for layer in self.layers:
                x = layer(x, additive)
            h = x.reshape(-1, HIDDEN).index_select(0, positions)
            h = self.transform_ln(F.gelu(self.transform(h)))
            return F.cross_entropy(h @ self.word.weight.T + self.bias, targets)

    torch.manual_seed(1234)
    g = torch.Generator().manual_seed(1234)
    model = Bert()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.99))
    ids = torch.randint(5, VOCAB, (BATCH, CTX), generator=g)
    mask = torch.ones(BATCH, CTX, dtype=torch.long)
    positions = torch.arange(0, BATCH * CTX, 7)
    targets = torch.randint(5, VOCAB, (positions.numel(),), generator=g)

    def step():
        opt.zero_grad(set_to_none=True)
        model.loss(ids, mask, positions, targets).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return step


if __name__ == "__main__":
    gpt_char.run("bert_mlm", build, BATCH * CTX)
