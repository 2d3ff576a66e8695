#!/usr/bin/python3
"""Generates torch_golden.json: forward values and gradients of ~50 tensor ops, computed by PyTorch in float64.

Run once with Debian's PyTorch:  /usr/bin/python3 tests/Polymath.Tensors.Tests/Fixtures/make_golden.py
The C# test (TorchGoldenTests.cs) maps each case name to the same op in Polymath and compares the output and
the gradient of sum(output * grad_output) with respect to every input. Inputs, grad_output and results are all
stored, so the test never needs Python.
"""
import json
import os
import torch
import torch.nn.functional as F

torch.manual_seed(20240601)
torch.set_default_dtype(torch.float64)


def u(*shape, lo=-2.0, hi=2.0):
    return torch.rand(tuple(shape)) * (hi - lo) + lo


def pos(*shape):
    return u(*shape, lo=0.5, hi=2.0)


def nz(*shape):
    # |x| >= 0.1: keeps abs/relu/reciprocal away from their kinks and poles.
    x = u(*shape)
    return torch.where(x.abs() < 0.1, x.sign() * 0.1 + x, x)


MASK = torch.tensor([[True, False, True, False], [False, False, True, True], [True, True, False, False]])

CASES = [
    ("add", [u(3, 1, 4), u(2, 4)], lambda a, b: a + b),
    ("sub", [u(3, 4), u(4)], lambda a, b: a - b),
    ("mul", [u(2, 3, 4), u(3, 1)], lambda a, b: a * b),
    ("div", [u(3, 4), nz(3, 1)], lambda a, b: a / b),
    ("pow", [pos(3, 4), u(4)], lambda a, b: a.pow(b)),
    ("pow_scalar", [pos(3, 4)], lambda a: a.pow(2.5)),
    ("maximum", [u(3, 4), u(4)], torch.maximum),
    ("minimum", [u(3, 4), u(3, 1)], torch.minimum),
    ("neg", [u(3, 4)], torch.neg),
    ("abs", [nz(3, 4)], torch.abs),
    ("exp", [u(3, 4)], torch.exp),
    ("log", [pos(3, 4)], torch.log),
    ("sqrt", [pos(3, 4)], torch.sqrt),
    ("rsqrt", [pos(3, 4)], torch.rsqrt),
    ("reciprocal", [nz(3, 4)], torch.reciprocal),
    ("square", [u(3, 4)], torch.square),
    ("sin", [u(3, 4)], torch.sin),
    ("cos", [u(3, 4)], torch.cos),
    ("tanh", [u(3, 4)], torch.tanh),
    ("sigmoid", [u(3, 4)], torch.sigmoid),
    ("relu", [nz(3, 4)], torch.relu),
    ("leaky_relu", [nz(3, 4)], lambda a: F.leaky_relu(a, 0.1)),
    ("gelu", [u(3, 4)], lambda a: F.gelu(a)),
    ("gelu_tanh", [u(3, 4)], lambda a: F.gelu(a, approximate="tanh")),
    ("silu", [u(3, 4)], F.silu),
    ("softplus", [u(3, 4)], lambda a: F.softplus(a, beta=2.0, threshold=20.0)),
    ("erf", [u(3, 4)], torch.erf),
    ("clamp", [u(3, 4)], lambda a: a.clamp(-0.5, 0.7)),
    ("where", [u(3, 4), u(4)], lambda a, b: torch.where(MASK, a, b)),
    ("masked_fill", [u(3, 4)], lambda a: a.masked_fill(MASK, -1.5)),
    ("sum_dims", [u(2, 3, 4)], lambda a: a.sum(dim=(0, 2))),
    ("mean_dim", [u(3, 4)], lambda a: a.mean(dim=1, keepdim=True)),
    ("prod_dim", [u(3, 4)], lambda a: a.prod(dim=1)),
    ("amax", [u(3, 4)], lambda a: a.amax(dim=0)),
    ("amin", [u(3, 4)], lambda a: a.amin(dim=1)),
    ("max_dim", [u(3, 4)], lambda a: a.max(dim=1).values),
    ("var", [u(3, 5)], lambda a: a.var(dim=1)),
    ("std_biased", [u(3, 5)], lambda a: a.std(dim=0, unbiased=False)),
    ("logsumexp", [u(3, 5)], lambda a: a.logsumexp(dim=1)),
    ("norm", [u(3, 4)], lambda a: a.norm()),
    ("norm_p3", [nz(3, 4)], lambda a: a.norm(p=3, dim=1)),
    ("softmax", [u(3, 5)], lambda a: a.softmax(dim=-1)),
    ("softmax_dim0", [u(3, 5)], lambda a: a.softmax(dim=0)),
    ("log_softmax", [u(2, 3, 4)], lambda a: a.log_softmax(dim=1)),
    ("matmul", [u(2, 1, 3, 4), u(3, 4, 2)], torch.matmul),
    ("matmul_vec", [u(3, 4), u(4)], torch.matmul),
    ("index_select", [u(4, 3)], lambda a: a.index_select(0, torch.tensor([2, 0, 2, 3]))),
    ("gather", [u(3, 4)], lambda a: a.gather(1, torch.tensor([[0, 3], [3, 1], [2, 0]]))),
    ("scatter_add", [u(3, 4), u(2, 4)], lambda a, b: a.scatter_add(0, torch.tensor([[0, 2, 2, 1], [0, 0, 2, 1]]), b)),
    ("topk", [u(3, 5)], lambda a: a.topk(2, dim=-1).values),
    ("sort", [u(4, 3)], lambda a: a.sort(dim=0, descending=True).values),
    ("cat", [u(2, 3), u(1, 3)], lambda a, b: torch.cat([a, b], 0)),
    ("stack", [u(2, 3), u(2, 3)], lambda a, b: torch.stack([a, b], 1)),
    ("transpose_slice", [u(4, 5, 3)], lambda a: a.transpose(0, 2)[:, 1::2, 1:3]),
    ("layer_norm", [u(3, 5), u(5), u(5)], lambda a, w, b: F.layer_norm(a, (5,), w, b, 1e-5)),
]


def pack(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    cases = []
    for name, inputs, fn in CASES:
        xs = [x.clone().requires_grad_(True) for x in inputs]
        y = fn(*xs)
        gy = u(*y.shape, lo=-1.0, hi=1.0)
        grads = torch.autograd.grad(y, xs, gy, allow_unused=True)
        cases.append({
            "name": name,
            "inputs": [pack(x) for x in inputs],
            "output": pack(y),
            "grad_output": pack(gy),
            "grads": [pack(g) if g is not None else None for g in grads],
        })
    out = {"generator": "make_golden.py", "torch_version": torch.__version__, "dtype": "float64", "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
