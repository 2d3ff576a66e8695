#!/usr/bin/python3
"""The character-level GPT training step of `polymath pretrain gpt` (default shapes), in PyTorch, for `polymath bench`.

    /usr/bin/python3 bench/peers/gpt_char.py --workload gpt_char --threads 2 --steps 20 --warmup 3 --json

Model (the same as Polymath.Models.Gpt.GptModel with GptConfig{VocabSize=65, ContextLength=128, EmbeddingDim=128,
Layers=4, Heads=4}): token + learned position embeddings, 4 pre-norm blocks (LayerNorm, causal self-attention with one
qkv projection, LayerNorm, MLP 128-512-128 with tanh GELU), final LayerNorm, output projection tied to the token
embedding. Step: zero_grad + forward + cross-entropy + backward + clip_grad_norm_(1.0) + AdamW(lr 2e-3, betas
(0.9, 0.99), weight decay 0.1), float32, batch 32 of 128 random tokens. Prints one JSON object: workload, threads,
steps, median_s, min_s, p90_s, batch, tokens_per_s, torch.
"""
import argparse
import json
import math
import os
import sys
import time

VOCAB, CTX, EMBD, LAYERS, HEADS, BATCH = 65, 128, 128, 4, 4, 32


def build():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn, self.c_proj = nn.Linear(EMBD, 3 * EMBD), nn.Linear(EMBD, EMBD)
            self.register_buffer("mask", torch.tril(torch.ones(CTX, CTX, dtype=torch.bool)).view(1, 1, CTX, CTX))

        def forward(self, x):
            b, t, c = x.shape
            q, k, v = self.c_attn(x).split(c, dim=2)
            d = c // HEADS
            q, k, v = (z.view(b, t, HEADS, d).transpose(1, 2) for z in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))
            att = F.softmax(att.masked_fill(~self.mask[:, :, :t, :t], float("-inf")), dim=-1)
            return self.c_proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(EMBD), nn.LayerNorm(EMBD)
            self.attn = Attention()
            self.c_fc, self.c_proj = nn.Linear(EMBD, 4 * EMBD), nn.Linear(4 * EMBD, EMBD)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(VOCAB, EMBD), nn.Embedding(CTX, EMBD)
            self.h = nn.ModuleList([Block() for _ in range(LAYERS)])
            self.ln_f = nn.LayerNorm(EMBD)

        def forward(self, idx):
            x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
            for blk in self.h:
                x = blk(x)
            return self.ln_f(x) @ self.wte.weight.T

    torch.manual_seed(1234)
    g = torch.Generator().manual_seed(1234)
    model = GPT()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=2e-3, betas=(0.9, 0.99))
    x = torch.randint(0, VOCAB, (BATCH, CTX), generator=g)
    y = torch.randint(0, VOCAB, (BATCH, CTX), generator=g)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, VOCAB), y.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return step


def run(workload, build_step, tokens_per_step):
    """Parses the bench arguments, times build_step()'s step after warm-up and prints the JSON row (shared with bert_mlm.py)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", default=workload)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.workload != workload:
        raise SystemExit(f"unknown workload {a.workload}; this script has {workload}")
    import torch
    torch.set_num_threads(a.threads)
    step = build_step()
    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    out = {"workload": a.workload, "threads": a.threads, "steps": a.steps, "median_s": med, "min_s": times[0],
           "p90_s": times[min(len(times) - 1, int(0.9 * len(times)))], "batch": BATCH, "tokens_per_s": tokens_per_step / med, "torch": torch.__version__}
    print(json.dumps(out) if a.json else out)


def main():
    run("gpt_char", build, BATCH * CTX)


if __name__ == "__main__":
    main()
