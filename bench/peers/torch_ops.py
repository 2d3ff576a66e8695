#!/usr/bin/python3
"""PyTorch peer for `polymath bench`: times single ops with the same shapes, thread count and
timing rule as the Polymath side, in the same run.

Run with Debian's Python (python3-torch):

    /usr/bin/python3 bench/peers/torch_ops.py --threads 2 --specs specs.json

specs.json is a JSON list written by Polymath.Bench; each item:
    {"name": "add_16M", "op": "add", "shape": [16777216], "warmup": 3,
     "min_time": 0.3, "min_reps": 5, "max_reps": 200, "inner": 1, ...op-specific keys}
Timing rule (same as Polymath.Bench.Harness): untimed calls until `warmup` calls and `warmup_time`
seconds, then timed samples of
`inner` calls each until at least `min_reps` samples and `min_time` seconds (at most `max_reps`);
the figure is the median sample divided by `inner`.

Prints one JSON object per spec: {"name", "median_s", "min_s", "reps", "torch", "threads"}
or {"name", "error"} when that op failed.
"""
import argparse
import json
import os
import sys
import time


def measure(fn, warmup, min_time, min_reps, max_reps, inner, warmup_time=0.0):
    i, w0 = 0, time.perf_counter()
    while i < warmup or time.perf_counter() - w0 < warmup_time:
        fn()
        i += 1
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < min_time and len(times) < max_reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    times.sort()
    return times[len(times) // 2], times[0], len(times)


def build(spec, torch, F, g):
    op = spec["op"]
    shape = spec.get("shape")

    def randn(*s, grad=False):
        t = torch.randn(*s, generator=g)
        if grad:
            t.requires_grad_(True)
        return t

    if op in ("add", "mul"):
        a, b = randn(*shape), randn(*shape)
        f = torch.add if op == "add" else torch.mul
        return lambda: f(a, b)
    if op == "exp":
        a = randn(*shape)
        return lambda: torch.exp(a)
    if op == "relu":
        a = randn(*shape)
        return lambda: torch.relu(a)
    if op == "sum":
        a = randn(*shape)
        return lambda: torch.sum(a)
    if op == "max":
        a = randn(*shape)
        return lambda: torch.max(a)
    if op == "small_add":
        grad = bool(spec.get("requires_grad", False))
        a, b = randn(*shape, grad=grad), randn(*shape, grad=grad)
        return lambda: torch.add(a, b)
    if op == "mm":
        n = spec["n"]
        a, b = randn(n, n), randn(n, n)
        return lambda: torch.mm(a, b)
    if op == "conv2d_fwdbwd":
        x = randn(*spec["input"], grad=True)
        w = randn(*spec["weight"], grad=True)
        pad = spec.get("padding", 0)

        def step():
            x.grad = None
            w.grad = None
            F.conv2d(x, w, padding=pad).sum().backward()
        return step
    if op == "softmax_fwd":
        x = randn(*shape)
        return lambda: torch.softmax(x, dim=-1)
    if op == "softmax_fwdbwd":
        x = randn(*shape, grad=True)
        gy = randn(*shape)

        def step():
            x.grad = None
            torch.softmax(x, dim=-1).backward(gy)
        return step
    if op == "layernorm_fwdbwd":
        x = randn(*shape, grad=True)
        d = shape[-1]
        gamma, beta = randn(d, grad=True), randn(d, grad=True)
        gy = randn(*shape)
        eps = 1e-5

        def step():
            x.grad = gamma.grad = beta.grad = None
            mean = x.mean(-1, keepdim=True)
            xc = x - mean
            var = (xc * xc).mean(-1, keepdim=True)
            y = xc / torch.sqrt(var + eps) * gamma + beta
            y.backward(gy)
        return step
    if op == "layernorm_fused_fwdbwd":
        x = randn(*shape, grad=True)
        d = shape[-1]
        gamma, beta = randn(d, grad=True), randn(d, grad=True)
        gy = randn(*shape)

        def step():
            x.grad = gamma.grad = beta.grad = None
            torch.nn.functional.layer_norm(x, (d,), gamma, beta, 1e-5).backward(gy)
        return step
    if op == "linear_fwdbwd":
        m, k, n = spec["m"], spec["k"], spec["n"]
        x = randn(m, k, grad=True)
        w = randn(k, n, grad=True)

        def step():
            x.grad = w.grad = None
            torch.matmul(x, w).sum().backward()
        return step
    raise ValueError(f"unknown op {op!r}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--specs", required=True, help="JSON file with a list of op specs")
    a = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var) != str(a.threads):
            os.environ[var] = str(a.threads)
            os.execv(sys.executable, [sys.executable] + sys.argv)  # re-exec so the BLAS pool sees it
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    with open(a.specs) as f:
        specs = json.load(f)
    for spec in specs:
        name = spec.get("name", "?")
        try:
            g = torch.Generator().manual_seed(1234)
            fn = build(spec, torch, F, g)
            med, mn, reps = measure(fn, spec.get("warmup", 3), spec.get("min_time", 0.3),
                                    spec.get("min_reps", 5), spec.get("max_reps", 200), spec.get("inner", 1),
                                    spec.get("warmup_time", 0.0))
            row = dict(name=name, median_s=med, min_s=mn, reps=reps, torch=torch.__version__, threads=a.threads)
        except Exception as e:  # one bad op must not lose the others
            row = dict(name=name, error=f"{type(e).__name__}: {e}")
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
