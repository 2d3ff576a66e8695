#!/usr/bin/python3
"""Writes layers_golden.json: PyTorch's forward values and gradients for each Polymath.NN layer.

Run once with Debian's torch (/usr/bin/python3 make_layers_golden.py); the C# tests (LayerGoldenTests) read the
JSON, load each case's state_dict into the matching Polymath layer with LoadStateDict (which also checks that the
parameter and buffer names match PyTorch's), run the same inputs and compare.

Everything is float64 so the comparison can be tight. Each case:
  name, state (state_dict: name -> tensor), inputs (list of tensors), grad_out (the upstream gradient: the loss is
  sum(output * grad_out)), output, input_grads (null for integer inputs), param_grads (name -> tensor).
Batch-norm cases also have steps (three training steps: input, output and the buffers after each) and eval
(an input and its output in evaluation mode after those steps).
A tensor is {"shape": [...], "data": [...] (row-major)} with "dtype": "int64" for integer ones.
"""
import json
import math
import os

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)


def t(x):
    x = x.detach().contiguous()
    d = {"shape": list(x.shape), "data": x.reshape(-1).tolist()}
    if not x.is_floating_point():
        d["dtype"] = "int64"
    return d


def randomize_params(m):
    # Non-trivial affine parameters (PyTorch initialises norms to ones/zeros, which would hide mistakes).
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "norm" in type(m).__name__.lower() or type(m).__name__.startswith("BatchNorm"):
                p.copy_(torch.randn_like(p) * 0.5 + (1.0 if name == "weight" else 0.0))


def case(name, layer, inputs, seed):
    torch.manual_seed(seed)
    randomize_params(layer)
    state = {k: t(v) for k, v in layer.state_dict().items()}
    ins = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    out = layer(*ins)
    grad_out = torch.randn_like(out)
    (out * grad_out).sum().backward()
    return {
        "name": name,
        "state": state,
        "inputs": [t(x) for x in inputs],
        "grad_out": t(grad_out),
        "output": t(out),
        "input_grads": [t(x.grad) if x.is_floating_point() else None for x in ins],
        "param_grads": {k: t(p.grad) for k, p in layer.named_parameters() if p.grad is not None},
    }


def batchnorm_case(name, layer, shape, seed):
    torch.manual_seed(seed)
    randomize_params(layer)
    first_input = torch.randn(*shape) * 2 + 0.5
    # The generic part (step 1 with gradients) from a copy, so the steps below start from the same buffers.
    import copy
    c = case(name, copy.deepcopy(layer), [first_input], seed)
    steps = []
    x = first_input
    for k in range(3):
        if k > 0:
            x = torch.randn(*shape) * (1 + k) - k
        y = layer(x)
        steps.append({"input": t(x), "output": t(y), "buffers": {n: t(b) for n, b in layer.named_buffers()}})
    layer.eval()
    xe = torch.randn(*shape)
    c["steps"] = steps
    c["eval"] = {"input": t(xe), "output": t(layer(xe))}
    return c


def main():
    torch.manual_seed(1234)
    cases = []
    R = torch.randn
    cases.append(case("layernorm_last", nn.LayerNorm(6), [R(2, 3, 6) * 3 + 1], 1))
    cases.append(case("layernorm_2d", nn.LayerNorm([3, 4]), [R(2, 3, 4)], 2))
    cases.append(case("layernorm_noaffine", nn.LayerNorm(5, eps=1e-3, elementwise_affine=False), [R(4, 5)], 3))
    cases.append(case("conv1d", nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), [R(2, 4, 9)], 4))
    cases.append(case("conv2d", nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2), [R(2, 4, 9, 8)], 5))
    cases.append(case("conv2d_rect", nn.Conv2d(3, 4, (3, 2), stride=(1, 2), padding=(1, 0), bias=False), [R(2, 3, 6, 7)], 6))
    cases.append(case("convtranspose2d", nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), [R(2, 4, 5, 4)], 7))
    cases.append(case("maxpool2d", nn.MaxPool2d(3, stride=2, padding=1), [R(2, 3, 7, 6)], 8))
    cases.append(case("avgpool2d", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [R(2, 3, 7, 6)], 9))
    cases.append(case("adaptiveavgpool2d", nn.AdaptiveAvgPool2d((3, 2)), [R(2, 3, 7, 5)], 10))
    cases.append(case("groupnorm", nn.GroupNorm(2, 6), [R(2, 6, 3, 2) * 2 + 1], 11))
    idx = torch.tensor([[2, 5, 2], [0, 9, 7]], dtype=torch.long)
    cases.append(case("embedding", nn.Embedding(10, 4, padding_idx=2), [idx], 12))
    cases.append(case("flatten", nn.Flatten(), [R(2, 3, 2, 2)], 13))
    cases.append(case("bilinear", nn.Bilinear(3, 4, 5), [R(2, 3, 3), R(2, 3, 4)], 14))
    act_in = [R(3, 5) * 2]
    cases.append(case("relu", nn.ReLU(), act_in, 20))
    cases.append(case("gelu", nn.GELU(), act_in, 21))
    cases.append(case("gelu_tanh", nn.GELU(approximate="tanh"), act_in, 22))
    cases.append(case("silu", nn.SiLU(), act_in, 23))
    cases.append(case("tanh", nn.Tanh(), act_in, 24))
    cases.append(case("sigmoid", nn.Sigmoid(), act_in, 25))
    cases.append(case("softmax", nn.Softmax(dim=0), act_in, 26))
    cases.append(case("logsoftmax", nn.LogSoftmax(dim=-1), act_in, 27))
    cases.append(case("leakyrelu", nn.LeakyReLU(0.2), act_in, 28))
    cases.append(case("identity", nn.Identity(), act_in, 29))
    cases.append(batchnorm_case("batchnorm1d_3d", nn.BatchNorm1d(4), (5, 4, 3), 30))
    cases.append(batchnorm_case("batchnorm1d_2d_cumulative", nn.BatchNorm1d(3, momentum=None), (6, 3), 31))
    cases.append(batchnorm_case("batchnorm2d", nn.BatchNorm2d(3, momentum=0.3, eps=1e-3), (4, 3, 3, 2), 32))
    cases.append(batchnorm_case("batchnorm2d_noaffine", nn.BatchNorm2d(2, affine=False), (3, 2, 2, 3), 33))

    out = {"torch_version": torch.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
