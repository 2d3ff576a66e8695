#!/usr/bin/python3
"""Generates torch_golden_functional.json: forward values and gradients of torch.nn.functional ops, in float64.

Run once with Debian's PyTorch:  /usr/bin/python3 tests/Polymath.Tensors.Tests/Fixtures/make_golden_functional.py
FunctionalGoldenTests.cs maps each case name to the same call in Polymath.Functional (or Tensor.Einsum) and compares
the output and the gradient of sum(output * grad_output) with respect to every floating input (weights and biases
included). Integer inputs (embedding indices) are stored with dtype "int64" and get no gradient. Max-pool cases also
store the argmax indices (return_indices=True). Inputs are uniform in [-2, 2], so max-pool windows have no ties.
"""
import json
import os
import torch
import torch.nn.functional as F

torch.manual_seed(20240615)
torch.set_default_dtype(torch.float64)


def u(*shape):
    return torch.rand(tuple(shape)) * 4.0 - 2.0


IDX = torch.tensor([[1, 3, 3], [0, 4, 1]])

# (name, inputs, fn). fn returns a tensor, or (tensor, extra int tensor) for max-pool with indices.
CASES = [
    ("conv2d_basic", [u(2, 3, 6, 7), u(4, 3, 3, 3), u(4)], lambda x, w, b: F.conv2d(x, w, b)),
    ("conv2d_stride_pad", [u(2, 3, 7, 6), u(4, 3, 3, 2), u(4)], lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)),
    ("conv2d_dilation", [u(1, 2, 8, 8), u(3, 2, 3, 3)], lambda x, w: F.conv2d(x, w, None, padding=2, dilation=2)),
    ("conv2d_groups", [u(2, 4, 5, 5), u(6, 2, 3, 3), u(6)], lambda x, w, b: F.conv2d(x, w, b, groups=2)),
    ("conv2d_depthwise", [u(2, 4, 6, 6), u(4, 1, 3, 3), u(4)], lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=4)),
    ("conv2d_tuple", [u(1, 3, 7, 8), u(2, 3, 3, 2), u(2)],
     lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0), dilation=(1, 2))),
    ("conv2d_unbatched", [u(3, 5, 5), u(2, 3, 2, 2), u(2)], lambda x, w, b: F.conv2d(x, w, b)),
    ("conv2d_1x1", [u(2, 5, 4, 4), u(3, 5, 1, 1)], lambda x, w: F.conv2d(x, w)),
    ("conv1d_stride_pad", [u(2, 3, 10), u(4, 3, 3), u(4)], lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1)),
    ("conv1d_groups_dilation", [u(1, 4, 12), u(4, 2, 3)], lambda x, w: F.conv1d(x, w, None, dilation=2, groups=2)),
    ("conv1d_unbatched", [u(3, 8), u(2, 3, 3), u(2)], lambda x, w, b: F.conv1d(x, w, b)),
    ("conv_transpose2d_basic", [u(2, 3, 4, 4), u(3, 2, 3, 3), u(2)], lambda x, w, b: F.conv_transpose2d(x, w, b)),
    ("conv_transpose2d_stride_pad_outpad", [u(1, 2, 3, 4), u(2, 3, 3, 3), u(3)],
     lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d_groups_dilation", [u(2, 4, 3, 3), u(4, 1, 2, 2), u(2)],
     lambda x, w, b: F.conv_transpose2d(x, w, b, groups=2, dilation=2)),
    ("conv_transpose2d_unbatched", [u(2, 3, 3), u(2, 2, 2, 2)], lambda x, w: F.conv_transpose2d(x, w, None, stride=2)),
    ("max_pool2d_basic", [u(2, 3, 6, 6)], lambda x: F.max_pool2d(x, 2, return_indices=True)),
    ("max_pool2d_stride_pad", [u(1, 2, 7, 7)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)),
    ("max_pool2d_dilation_ceil", [u(1, 2, 9, 8)],
     lambda x: F.max_pool2d(x, 2, stride=2, dilation=2, ceil_mode=True, return_indices=True)),
    ("max_pool2d_ceil_pad", [u(2, 1, 8, 8)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True)),
    ("max_pool2d_unbatched", [u(2, 5, 5)], lambda x: F.max_pool2d(x, 2, stride=1, return_indices=True)),
    ("avg_pool2d_basic", [u(2, 3, 6, 6)], lambda x: F.avg_pool2d(x, 2)),
    ("avg_pool2d_pad_exclude", [u(1, 2, 7, 7)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)),
    ("avg_pool2d_pad_include_ceil", [u(1, 2, 8, 8)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d_ceil_exclude", [u(1, 2, 8, 7)],
     lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d_divisor", [u(1, 2, 5, 5)], lambda x: F.avg_pool2d(x, 2, stride=1, divisor_override=3)),
    ("avg_pool2d_unbatched", [u(2, 6, 5)], lambda x: F.avg_pool2d(x, 2, stride=2, padding=1)),
    ("adaptive_avg_pool2d_down", [u(2, 3, 7, 9)], lambda x: F.adaptive_avg_pool2d(x, (3, 4))),
    ("adaptive_avg_pool2d_up", [u(1, 2, 3, 5)], lambda x: F.adaptive_avg_pool2d(x, (5, 3))),
    ("embedding", [IDX, u(5, 4)], lambda i, w: F.embedding(i, w)),
    ("embedding_padding_idx", [IDX, u(5, 4)], lambda i, w: F.embedding(i, w, padding_idx=3)),
    ("linear", [u(3, 2, 5), u(4, 5), u(4)], F.linear),
    ("linear_no_bias", [u(6, 5), u(3, 5)], lambda x, w: F.linear(x, w)),
    ("einsum_matmul", [u(3, 4), u(4, 5)], lambda a, b: torch.einsum("ij,jk->ik", a, b)),
    ("einsum_attention", [u(2, 2, 3, 4), u(2, 2, 5, 4)], lambda a, b: torch.einsum("bhqd,bhkd->bhqk", a, b)),
    ("einsum_outer", [u(3), u(4)], lambda a, b: torch.einsum("i,j->ij", a, b)),
    ("einsum_implicit", [u(2, 3), u(3, 4)], lambda a, b: torch.einsum("ij,jk", a, b)),
    ("einsum_permute_sum", [u(2, 3, 4)], lambda a: torch.einsum("ijk->ki", a)),
    ("einsum_batch_reduce", [u(2, 3, 4), u(2, 4, 5)], lambda a, b: torch.einsum("bij,bjk->bk", a, b)),
    ("einsum_hadamard_dot", [u(3, 4), u(3, 4)], lambda a, b: torch.einsum("ij,ij->i", a, b)),
]


def pack(t):
    if t.dtype == torch.int64:
        return {"shape": list(t.shape), "dtype": "int64", "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    cases = []
    for name, inputs, fn in CASES:
        xs = [x.clone().requires_grad_(x.dtype.is_floating_point) for x in inputs]
        res = fn(*xs)
        y, extra = res if isinstance(res, tuple) else (res, None)
        gy = torch.rand(y.shape) * 2.0 - 1.0
        diff = [x for x in xs if x.requires_grad]
        grads = iter(torch.autograd.grad(y, diff, gy, allow_unused=True))
        case = {
            "name": name,
            "inputs": [pack(x) for x in inputs],
            "output": pack(y),
            "grad_output": pack(gy),
            "grads": [pack(next(grads)) if x.requires_grad else None for x in xs],
        }
        if extra is not None:
            case["indices"] = pack(extra)
        cases.append(case)
    out = {"generator": "make_golden_functional.py", "torch_version": torch.__version__, "dtype": "float64", "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_golden_functional.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
