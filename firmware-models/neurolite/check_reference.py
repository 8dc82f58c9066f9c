"""Recomputes reference.json's logits in plain NumPy from model.safetensors and config.json (#5).

This is the graph the TFLite export must build, written op by op (GATHER, SUM, MUL, ADD, SUB, RSQRT,
FULLY_CONNECTED, GELU-tanh, TRANSPOSE): if it matches PyTorch here, the documented layout is complete.
usage: check_reference.py DIR [--tol 1e-4]   prints the max |difference| as JSON; exit 1 above tol.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(-1, keepdims=True)
    return xc * (1.0 / np.sqrt(var + eps)) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(np.float32(0.7978845608028654) * (x + np.float32(0.044715) * x * x * x)))


def fc(x, w, b):  # PyTorch Linear: w (out, in)
    return x @ w.T + b


def forward(wts: dict, arch: dict, buckets: np.ndarray, mask: np.ndarray):
    """buckets (T, K) int, mask (T,) float32 -> intent logits (n_intents,), slot logits (T, n_tags)."""
    eps = np.float32(arch["layer_norm_eps"])
    m = mask[:, None]  # (T, 1)
    x = wts["embed"][buckets].sum(1) * m  # (T, D)
    i = 0
    while f"layers.{i}.token_fc1.weight" in wts:
        p = f"layers.{i}."
        y = layer_norm(x, wts[p + "token_norm.weight"], wts[p + "token_norm.bias"], eps) * m
        y = fc(gelu_tanh(fc(y.T, wts[p + "token_fc1.weight"], wts[p + "token_fc1.bias"])),
               wts[p + "token_fc2.weight"], wts[p + "token_fc2.bias"]).T  # (T, D)
        x = x + y
        y = layer_norm(x, wts[p + "channel_norm.weight"], wts[p + "channel_norm.bias"], eps)
        y = fc(gelu_tanh(fc(y, wts[p + "channel_fc1.weight"], wts[p + "channel_fc1.bias"])),
               wts[p + "channel_fc2.weight"], wts[p + "channel_fc2.bias"])
        x = x + y
        i += 1
    x = layer_norm(x, wts["final_norm.weight"], wts["final_norm.bias"], eps)
    pooled = (x * m).sum(0) * (1.0 / max(mask.sum(), 1.0))  # (D,)
    return fc(pooled, wts["intent_head.weight"], wts["intent_head.bias"]), fc(x, wts["slot_head.weight"], wts["slot_head.bias"])


def main() -> None:
    d = Path(sys.argv[1])
    tol = float(sys.argv[sys.argv.index("--tol") + 1]) if "--tol" in sys.argv else 1e-4
    wts = load_file(str(d / "model.safetensors"))
    arch = json.loads((d / "config.json").read_text())["architecture"]
    ref = json.loads((d / "reference.json").read_text())
    worst = 0.0
    for s in ref["sentences"]:
        il, sl = forward(wts, arch, np.array(s["buckets"], dtype=np.int64), np.array(s["mask"], dtype=np.float32))
        worst = max(worst, float(np.abs(il - np.array(s["intent_logits"])).max()),
                    float(np.abs(sl - np.array(s["slot_logits"])).max()))
    print(json.dumps({"sentences": len(ref["sentences"]), "max_abs_diff": worst, "tol": tol}))
    sys.exit(0 if worst < tol else 1)


if __name__ == "__main__":
    main()
