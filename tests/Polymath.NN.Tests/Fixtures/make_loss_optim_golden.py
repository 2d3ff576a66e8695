#!/usr/bin/python3
"""Golden values for the loss, optimizer, scheduler and gradient-clipping tests.

Run once with Debian's torch (1.13): /usr/bin/python3 make_loss_optim_golden.py
Writes loss_optim_golden.json next to this script. Everything is float64 so the C# side can compare tightly.
Option names in the JSON are Polymath's (lr, beta1, beta2, weight_decay, ...).
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)


def T(t):
    t = t.detach()
    dtype = "int64" if t.dtype == torch.int64 else "float64"
    data = t.reshape(-1).tolist()
    if dtype == "float64":
        data = [float(repr(v)) if math.isfinite(v) else str(v) for v in data]
    return {"shape": list(t.shape), "dtype": dtype, "data": data}


# ---------------- losses ----------------
losses = []


def loss_case(name, fn, opts, inputs, grad_of, call):
    leaves = {k: (v.clone().requires_grad_(True) if k in grad_of else v) for k, v in inputs.items()}
    out = call(leaves)
    upstream = torch.randn(out.shape)
    out.backward(upstream)
    losses.append({
        "name": name, "fn": fn, "opts": opts,
        "inputs": {k: T(v) for k, v in inputs.items()},
        "upstream": T(upstream), "out": T(out),
        "grads": {k: T(leaves[k].grad) for k in grad_of},
    })


RED = {"mean": "mean", "sum": "sum", "none": "none", "batchmean": "batchmean"}

# cross entropy
x = torch.randn(6, 5) * 2
t = torch.tensor([0, 4, 2, 1, 3, 2])
t_ign = torch.tensor([0, -100, 2, 1, -100, 4])
w = torch.rand(5) + 0.5
for red in ["mean", "sum", "none"]:
    loss_case(f"ce_plain_{red}", "cross_entropy", {"reduction": red}, {"input": x, "target": t}, ["input"],
              lambda L, red=red: F.cross_entropy(L["input"], L["target"], reduction=red))
    loss_case(f"ce_weight_ignore_{red}", "cross_entropy", {"reduction": red}, {"input": x, "target": t_ign, "weight": w}, ["input"],
              lambda L, red=red: F.cross_entropy(L["input"], L["target"], weight=L["weight"], reduction=red))
    loss_case(f"ce_smooth_weight_ignore_{red}", "cross_entropy", {"reduction": red, "label_smoothing": 0.15},
              {"input": x, "target": t_ign, "weight": w}, ["input"],
              lambda L, red=red: F.cross_entropy(L["input"], L["target"], weight=L["weight"], reduction=red, label_smoothing=0.15))
loss_case("ce_smooth_ignore_mean", "cross_entropy", {"reduction": "mean", "label_smoothing": 0.1}, {"input": x, "target": t_ign}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"], label_smoothing=0.1))
loss_case("ce_ignore_index_2", "cross_entropy", {"reduction": "mean", "ignore_index": 2}, {"input": x, "target": t}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"], ignore_index=2))
xs = torch.randn(2, 4, 3, 3)
ts = torch.randint(0, 4, (2, 3, 3))
ts[0, 1, 1] = -100
ws = torch.rand(4) + 0.5
loss_case("ce_spatial_weight_mean", "cross_entropy", {"reduction": "mean"}, {"input": xs, "target": ts, "weight": ws}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"], weight=L["weight"]))
loss_case("ce_spatial_smooth_none", "cross_entropy", {"reduction": "none", "label_smoothing": 0.2}, {"input": xs, "target": ts}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"], reduction="none", label_smoothing=0.2))
p = torch.softmax(torch.randn(6, 5), 1)
for red in ["mean", "sum", "none"]:
    loss_case(f"ce_prob_weight_smooth_{red}", "cross_entropy", {"reduction": red, "label_smoothing": 0.2},
              {"input": x, "target": p, "weight": w}, ["input"],
              lambda L, red=red: F.cross_entropy(L["input"], L["target"], weight=L["weight"], reduction=red, label_smoothing=0.2))
loss_case("ce_prob_plain_mean", "cross_entropy", {"reduction": "mean"}, {"input": x, "target": p}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"]))
loss_case("ce_unbatched", "cross_entropy", {"reduction": "mean"}, {"input": x[0], "target": torch.tensor(3)}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"]))
loss_case("ce_large_logits", "cross_entropy", {"reduction": "mean"}, {"input": x * 400, "target": t}, ["input"],
          lambda L: F.cross_entropy(L["input"], L["target"]))

# nll
lp = torch.log_softmax(torch.randn(6, 5), 1)
for red in ["mean", "sum", "none"]:
    loss_case(f"nll_weight_ignore_{red}", "nll_loss", {"reduction": red}, {"input": lp, "target": t_ign, "weight": w}, ["input"],
              lambda L, red=red: F.nll_loss(L["input"], L["target"], weight=L["weight"], reduction=red))
loss_case("nll_plain_mean", "nll_loss", {"reduction": "mean"}, {"input": lp, "target": t}, ["input"],
          lambda L: F.nll_loss(L["input"], L["target"]))

# binary
prob = torch.rand(4, 3) * 0.98 + 0.01
bt = torch.rand(4, 3)
bw = torch.rand(3) + 0.5
for red in ["mean", "sum", "none"]:
    loss_case(f"bce_weight_{red}", "binary_cross_entropy", {"reduction": red}, {"input": prob, "target": bt, "weight": bw}, ["input"],
              lambda L, red=red: F.binary_cross_entropy(L["input"], L["target"], weight=L["weight"], reduction=red))
logits = torch.randn(4, 3) * 3
logits[0, 0] = 60.0
logits[1, 1] = -60.0
btb = (torch.rand(4, 3) > 0.5).double()
btb[0, 0] = 0.0
btb[1, 1] = 1.0
pw = torch.rand(3) * 3 + 0.2
for red in ["mean", "sum", "none"]:
    loss_case(f"bcel_posweight_{red}", "binary_cross_entropy_with_logits", {"reduction": red},
              {"input": logits, "target": btb, "weight": bw, "pos_weight": pw}, ["input"],
              lambda L, red=red: F.binary_cross_entropy_with_logits(L["input"], L["target"], weight=L["weight"], pos_weight=L["pos_weight"], reduction=red))
loss_case("bcel_plain_mean", "binary_cross_entropy_with_logits", {"reduction": "mean"}, {"input": logits, "target": bt}, ["input"],
          lambda L: F.binary_cross_entropy_with_logits(L["input"], L["target"]))

# regression
a = torch.randn(3, 4)
b = torch.randn(3, 4)
b[0, 0] = a[0, 0] + 0.3
b[1, 2] = a[1, 2] - 0.2
for red in ["mean", "sum", "none"]:
    loss_case(f"mse_{red}", "mse_loss", {"reduction": red}, {"input": a, "target": b}, ["input", "target"],
              lambda L, red=red: F.mse_loss(L["input"], L["target"], reduction=red))
    loss_case(f"l1_{red}", "l1_loss", {"reduction": red}, {"input": a, "target": b}, ["input", "target"],
              lambda L, red=red: F.l1_loss(L["input"], L["target"], reduction=red))
    loss_case(f"smoothl1_beta05_{red}", "smooth_l1_loss", {"reduction": red, "beta": 0.5}, {"input": a, "target": b}, ["input"],
              lambda L, red=red: F.smooth_l1_loss(L["input"], L["target"], reduction=red, beta=0.5))
    loss_case(f"huber_delta07_{red}", "huber_loss", {"reduction": red, "delta": 0.7}, {"input": a, "target": b}, ["input"],
              lambda L, red=red: F.huber_loss(L["input"], L["target"], reduction=red, delta=0.7))
loss_case("smoothl1_beta0_mean", "smooth_l1_loss", {"reduction": "mean", "beta": 0.0}, {"input": a, "target": b}, ["input"],
          lambda L: F.smooth_l1_loss(L["input"], L["target"], beta=0.0))
loss_case("smoothl1_default_sum", "smooth_l1_loss", {"reduction": "sum", "beta": 1.0}, {"input": a, "target": b}, ["input"],
          lambda L: F.smooth_l1_loss(L["input"], L["target"], reduction="sum"))

# kl
kin = torch.log_softmax(torch.randn(4, 5), 1)
ktg = torch.softmax(torch.randn(4, 5), 1)
ktg[0, 1] = 0.0
for red in ["mean", "sum", "none", "batchmean"]:
    loss_case(f"kl_{red}", "kl_div", {"reduction": red}, {"input": kin, "target": ktg}, ["input", "target"],
              lambda L, red=red: F.kl_div(L["input"], L["target"], reduction=red))
klt = torch.log_softmax(torch.randn(4, 5), 1)
loss_case("kl_logtarget_batchmean", "kl_div", {"reduction": "batchmean", "log_target": True}, {"input": kin, "target": klt}, ["input", "target"],
          lambda L: F.kl_div(L["input"], L["target"], reduction="batchmean", log_target=True))

# cosine embedding
c1 = torch.randn(6, 4)
c2 = torch.randn(6, 4)
c2[1] = c1[1] * 2 + 0.01
cy = torch.tensor([1.0, 1.0, -1.0, -1.0, 1.0, -1.0])
for red in ["mean", "sum", "none"]:
    loss_case(f"cos_margin02_{red}", "cosine_embedding_loss", {"reduction": red, "margin": 0.2},
              {"input1": c1, "input2": c2, "target": cy}, ["input1", "input2"],
              lambda L, red=red: F.cosine_embedding_loss(L["input1"], L["input2"], L["target"], margin=0.2, reduction=red))
loss_case("cos_margin_neg_mean", "cosine_embedding_loss", {"reduction": "mean", "margin": -0.3},
          {"input1": c1, "input2": c2, "target": cy}, ["input1", "input2"],
          lambda L: F.cosine_embedding_loss(L["input1"], L["input2"], L["target"], margin=-0.3))

# ---------------- optimizers ----------------
p0 = torch.randn(3, 2)
p1 = torch.randn(4)
steps = 5
grads = [[torch.randn(3, 2), torch.randn(4)] for _ in range(steps)]
optimizers = []


def opt_case(name, kind, opts, group2=None):
    params = [p0.clone().requires_grad_(True), p1.clone().requires_grad_(True)]
    kw = dict(opts)
    if "beta1" in kw:
        kw["betas"] = (kw.pop("beta1"), kw.pop("beta2"))
    for flag in ["nesterov", "amsgrad", "centered"]:
        if flag in kw:
            kw[flag] = bool(kw[flag])
    cls = getattr(torch.optim, kind)
    if group2 is None:
        opt = cls(params, **kw)
    else:
        opt = cls([{"params": [params[0]]}, {"params": [params[1]], **group2}], **kw)
    traj = []
    for s in range(steps):
        for p, g in zip(params, grads[s]):
            p.grad = g.clone()
        opt.step()
        traj.append([T(p) for p in params])
    optimizers.append({"name": name, "optimizer": kind, "opts": opts, "group2": group2,
                       "params": [T(p0), T(p1)], "grads": [[T(g) for g in gs] for gs in grads], "trajectory": traj})


opt_case("sgd_plain", "SGD", {"lr": 0.1})
opt_case("sgd_momentum_dampening_wd", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01})
opt_case("sgd_nesterov_wd", "SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.001, "nesterov": 1})
opt_case("adam", "Adam", {"lr": 0.01})
opt_case("adam_amsgrad_wd_betas", "Adam", {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1, "amsgrad": 1, "eps": 1e-6})
opt_case("adamw", "AdamW", {"lr": 0.01, "weight_decay": 0.1})
opt_case("adamw_amsgrad", "AdamW", {"lr": 0.01, "amsgrad": 1})
opt_case("rmsprop", "RMSprop", {"lr": 0.01})
opt_case("rmsprop_centered_momentum_wd", "RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": 1, "weight_decay": 0.01})
opt_case("adagrad", "Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1})
opt_case("adam_two_groups", "Adam", {"lr": 0.01}, group2={"lr": 0.001, "weight_decay": 0.05})
opt_case("sgd_two_groups", "SGD", {"lr": 0.1, "momentum": 0.9}, group2={"lr": 0.02})

# ---------------- schedulers ----------------
schedulers = []
SCHED_STEPS = 30


def sched_case(name, kind, opts, make, optimizer="SGD", metrics=None):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    if optimizer == "SGD":
        opt = torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=0.1)
    sched = make(opt)
    key = "momentum" if optimizer == "SGD" else "betas"

    def mom():
        return [g[key] if key == "momentum" else g[key][0] for g in opt.param_groups]

    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [mom()]
    for s in range(SCHED_STEPS):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[s])
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(mom())
    schedulers.append({"name": name, "scheduler": kind, "optimizer": optimizer, "opts": opts, "lrs": lrs, "momenta": moms,
                       "metrics": metrics})


S = torch.optim.lr_scheduler
sched_case("step", "StepLR", {"step_size": 7, "gamma": 0.5}, lambda o: S.StepLR(o, 7, 0.5))
sched_case("multistep", "MultiStepLR", {"milestones": [5, 12, 12, 20], "gamma": 0.3}, lambda o: S.MultiStepLR(o, [5, 12, 12, 20], 0.3))
sched_case("exponential", "ExponentialLR", {"gamma": 0.9}, lambda o: S.ExponentialLR(o, 0.9))
sched_case("cosine", "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}, lambda o: S.CosineAnnealingLR(o, 10, 0.001))
sched_case("warm_restarts_mult2", "CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.001},
           lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.001))
sched_case("warm_restarts_mult1", "CosineAnnealingWarmRestarts", {"T_0": 4, "T_mult": 1, "eta_min": 0.0},
           lambda o: S.CosineAnnealingWarmRestarts(o, 4, 1, 0.0))


def hf_linear(warmup, total):
    return lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup))


def hf_cosine(warmup, total):
    def f(s):
        if s < warmup:
            return s / max(1, warmup)
        progress = (s - warmup) / max(1, total - warmup)
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))
    return f


sched_case("warmup_linear", "WarmupDecayLR", {"warmup": 5, "total": 25, "decay": "linear"}, lambda o: S.LambdaLR(o, hf_linear(5, 25)))
sched_case("warmup_cosine", "WarmupDecayLR", {"warmup": 6, "total": 30, "decay": "cosine"}, lambda o: S.LambdaLR(o, hf_cosine(6, 30)))
sched_case("onecycle_sgd", "OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 30},
           lambda o: S.OneCycleLR(o, [1.0, 0.5], total_steps=30))
sched_case("onecycle_adam_linear", "OneCycleLR", {"max_lr": [0.3, 0.3], "total_steps": 30, "pct_start": 0.25, "anneal": "linear",
                                                  "div_factor": 10.0, "final_div_factor": 100.0},
           lambda o: S.OneCycleLR(o, 0.3, total_steps=30, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
           optimizer="Adam")
sched_case("onecycle_three_phase", "OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 30, "three_phase": True,
                                                  "base_momentum": 0.8, "max_momentum": 0.9},
           lambda o: S.OneCycleLR(o, [1.0, 0.5], total_steps=30, three_phase=True, base_momentum=0.8, max_momentum=0.9))
metrics = [1.0, 0.9, 0.95, 0.899, 0.91, 0.92, 0.93, 0.7, 0.71, 0.72, 0.73, 0.74, 0.69, 0.75, 0.76, 0.77, 0.78, 0.79, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
sched_case("plateau_min_rel", "ReduceLROnPlateau", {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.01, "cooldown": 1, "min_lr": 0.004},
           lambda o: S.ReduceLROnPlateau(o, "min", factor=0.5, patience=2, threshold=0.01, cooldown=1, min_lr=0.004), metrics=metrics)
acc = [0.1 + 0.01 * (i % 4) + (0.2 if i > 15 else 0) for i in range(SCHED_STEPS)]
sched_case("plateau_max_abs", "ReduceLROnPlateau", {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.015, "threshold_mode": "abs"},
           lambda o: S.ReduceLROnPlateau(o, "max", factor=0.3, patience=1, threshold=0.015, threshold_mode="abs"), metrics=acc)

# ---------------- gradient clipping ----------------
clips = []
cg = [torch.randn(3, 2) * 2, torch.randn(4)]
for norm_type in [2.0, 1.0, 3.0, "inf"]:
    params = [torch.zeros(3, 2, requires_grad=True), torch.zeros(4, requires_grad=True)]
    for p, g in zip(params, cg):
        p.grad = g.clone()
    nt = float("inf") if norm_type == "inf" else norm_type
    total = torch.nn.utils.clip_grad_norm_(params, 1.5, norm_type=nt)
    clips.append({"kind": "norm", "norm_type": norm_type, "max_norm": 1.5, "grads": [T(g) for g in cg],
                  "total": float(total), "clipped": [T(p.grad) for p in params]})
params = [torch.zeros(3, 2, requires_grad=True), torch.zeros(4, requires_grad=True)]
for p, g in zip(params, cg):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(params, 0.4)
clips.append({"kind": "value", "clip_value": 0.4, "grads": [T(g) for g in cg], "clipped": [T(p.grad) for p in params]})

out = {"torch": torch.__version__, "losses": losses, "optimizers": optimizers, "schedulers": schedulers, "clips": clips}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loss_optim_golden.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(path, os.path.getsize(path), "bytes;", len(losses), "losses,", len(optimizers), "optimizers,", len(schedulers), "schedulers")
