"""NeuroLite recipe (#5): hashing projection -> embedding-bag -> MLP-Mixer -> intent + BIO slot heads.

Reads top to bottom: config, data, model, train, evaluate, export. Trains on any dataset in JointBERT
layout or JSONL (datasets.py); labels come from the data. Writes OUT/{model.safetensors, config.json,
labels.json, report.json, reference.json}. Only ops the TFLite writer supports (GATHER, SUM/MEAN,
FULLY_CONNECTED, ADD, SUB, MUL, RSQRT, GELU (tanh), TRANSPOSE, RESHAPE, SOFTMAX). Never downloads.

usage: train.py --data DIR --out DIR [--preset tiny|small|base] [--epochs N] [--seed S] [--key=value ...]
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

# --threads=N caps the BLAS pools too (OpenBLAS/OpenMP size theirs from the core count when numpy or
# torch loads them, before torch.set_num_threads runs): two single-threaded runs side by side on a
# 2-core machine otherwise spin against each other at a fifth of their speed.
for _arg in sys.argv[1:]:
    if _arg.startswith("--threads="):
        for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(_var, _arg.split("=", 1)[1])

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from tqdm import tqdm  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readers import bio_chunks, bio_viterbi, encode, labels_of, read_dataset  # noqa: E402
from projection import PROJECTION_VERSION, ProjectionConfig, Token, token_buckets, tokenize  # noqa: E402

FORMAT_VERSION = 1  # of the files this script writes

# --- config: plain values, overridable with --key=value ----------------------------------------
data = ""  # dataset folder (JointBERT layout or JSONL) or one .jsonl file
out = ""  # output folder
preset = "tiny"  # tiny | small | base: sets the shape keys below unless given explicitly
seed = 1337
epochs = 12  # passes over the train split
batch_size = 64  # sentences per step
lr = 3e-3  # peak AdamW learning rate
warmup_frac = 0.05  # share of steps with linear warm-up, then cosine decay to 0
weight_decay = 0.01
dropout = 0.1  # after each residual branch and on the pooled vector
slot_loss_weight = 1.0  # intent CE + this * slot CE (mean over real tokens)
label_smoothing = 0.0
shift_max = 0  # training only: move each sentence right by 0..shift_max positions (token mixing learns to be shift-tolerant)
token_drop = 0.0  # training only: probability of masking out each real token (word dropout)
max_tokens = 0  # T, fixed padded length (tokens beyond are cut); 0: the longest training sentence, rounded up to a multiple of 8, within [16, 64]
feature_dim = 1024  # F, counting-Bloom buckets = rows of the embedding table
num_hashes = 64  # K, MinHash buckets per token (projection spec)
dim = 0  # D, model width (0: from preset)
channel_hidden = 0  # H, channel-mixing hidden units (0: from preset)
token_hidden = 0  # token-mixing hidden units (0: from preset)
layers = 0  # number of mixer layers (0: from preset)
ln_eps = 1e-5  # LayerNorm epsilon
threads = 2  # torch CPU threads
max_train = 0  # use at most this many train sentences (0: all); for smoke runs
init_from = ""  # fine-tune: start from this run folder's weights (its shape, projection and labels win)
eval_only = 0  # 1 (with --init_from RUN): no training; re-score RUN on --data and rewrite the splits of RUN/report.json
eval_every = 1  # epochs between dev evaluations
reference_sentences = 4  # sentences written with their logits to reference.json

PRESETS = {
    "tiny": dict(dim=160, channel_hidden=320, token_hidden=64, layers=3),
    "small": dict(dim=256, channel_hidden=512, token_hidden=64, layers=4),
    "base": dict(dim=384, channel_hidden=768, token_hidden=128, layers=6),
}


def parse_overrides(argv: list[str]) -> dict:
    keys = {k: v for k, v in globals().items() if not k.startswith("_") and isinstance(v, (int, float, str)) and k.islower()
            and k not in ("FORMAT_VERSION",)}
    got, i = {}, 0
    while i < len(argv):
        a = argv[i]
        assert a.startswith("--"), f"unexpected argument {a!r} (use --key=value)"
        if "=" in a:
            k, v = a[2:].split("=", 1)
        else:
            assert i + 1 < len(argv), f"{a} needs a value"
            k, v = a[2:], argv[i + 1]
            i += 1
        k = k.replace("-", "_")
        if k not in keys:
            raise SystemExit(f"train.py: unknown config key --{k} (known: {', '.join(sorted(keys))})")
        t = type(keys[k])
        try:
            got[k] = t(v) if t is not bool else v in ("1", "true")
        except ValueError:
            raise SystemExit(f"train.py: --{k} must be {t.__name__} (got {v!r})")
        if t is int and float(v) != int(v):
            raise SystemExit(f"train.py: --{k} must be int (got {v!r})")
        i += 1
    return got


overrides = parse_overrides(sys.argv[1:])
globals().update(overrides)
assert preset in PRESETS, f"--preset must be one of {list(PRESETS)}"
for _k, _v in PRESETS[preset].items():
    if _k not in overrides:
        globals()[_k] = _v
assert data and out, "--data and --out are required"
if init_from:
    # Fine-tuning keeps the parent's shape and projection: the weights must fit, the board's projection too.
    _parent = json.loads((Path(init_from) / "config.json").read_text())
    for _k in ("dim", "channel_hidden", "token_hidden", "layers", "max_tokens", "feature_dim", "num_hashes", "ln_eps"):
        globals()[_k] = _parent["config"][_k]
config = {k: globals()[k] for k in ("data", "out", "preset", "seed", "epochs", "batch_size", "lr", "warmup_frac",
                                    "weight_decay", "dropout", "slot_loss_weight", "label_smoothing", "shift_max", "token_drop", "max_tokens",
                                    "feature_dim", "num_hashes", "dim", "channel_hidden", "token_hidden", "layers",
                                    "ln_eps", "threads", "max_train", "eval_every", "reference_sentences", "init_from", "eval_only")}
print(json.dumps(config, indent=1))

random.seed(seed)
np.random.seed(seed)
torch.manual_seed(seed)
torch.set_num_threads(threads)
torch.use_deterministic_algorithms(True)
out_dir = Path(out)
out_dir.mkdir(parents=True, exist_ok=True)

# --- data -----------------------------------------------------------------------------------------
ds = read_dataset(data)
assert "train" in ds.splits or max_train < 0, f"{data}: no train split"
if max_tokens == 0:
    # Sized to the data, so a dataset of long sentences (ATIS-like) is not cut to a preset's length.
    _lengths = [len(tokenize(e.text, 10_000)) for e in ds.splits.get("train", [])]
    _longest = max(_lengths, default=1)
    max_tokens = config["max_tokens"] = min(64, max(16, -(-_longest // 8) * 8))
    _cut = sum(n > max_tokens for n in _lengths)
    print(f"max_tokens {max_tokens} (longest training sentence: {_longest} tokens" + (f"; {_cut} sentences are cut)" if _cut else ")"))
proj = ProjectionConfig(num_hashes=num_hashes, feature_dim=feature_dim, max_tokens=max_tokens)
intents, tags = labels_of(ds)
if init_from:
    _labels = json.loads((Path(init_from) / "labels.json").read_text())
    _new = (set(intents) - set(_labels["intents"])) | (set(tags) - set(_labels["tags"]))
    assert not _new, f"--init_from: the data has labels the parent model lacks: {sorted(_new)} (fine-tuning cannot add them)"
    intents, tags = _labels["intents"], _labels["tags"]
if max_train and len(ds.splits["train"]) > max_train:
    ds.splits["train"] = random.Random(seed).sample(ds.splits["train"], max_train)
print(f"data {ds.format} sha256 {ds.sha256[:16]}: " + ", ".join(f"{k} {len(v)}" for k, v in ds.splits.items()))
print(f"{len(intents)} intents, {len(tags)} BIO tags")


def to_tensors(examples):
    ids, table, intent_ids, tag_ids, lengths = encode(examples, proj, intents, tags)
    buckets = np.zeros((len(table), num_hashes), dtype=np.int64)  # (V, K), row 0 = padding
    for v, (text, is_word) in enumerate(table[1:], 1):
        buckets[v] = token_buckets(Token(text, 0, 0, is_word), proj)
    ids = torch.tensor(ids, dtype=torch.long)  # (N, T)
    lengths = torch.tensor(lengths, dtype=torch.long)  # (N,)
    mask = (torch.arange(max_tokens)[None, :] < lengths[:, None]).float()  # (N, T) 1 = real token
    assert feature_dim <= 32768, "buckets are kept as int16"
    return {"buckets": torch.from_numpy(buckets.astype(np.int16))[ids], "mask": mask,  # (N, T, K) int16, (N, T)
            "intent": torch.tensor(intent_ids, dtype=torch.long), "tags": torch.tensor(tag_ids, dtype=torch.long)}


tensors = {split: to_tensors(ex) for split, ex in ds.splits.items()}


# --- model ----------------------------------------------------------------------------------------
class LayerNorm(nn.Module):
    """Written out so the export decomposes it the same way: (x - mean) * rsqrt(var + eps) * w + b."""

    def __init__(self, d: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):  # (..., d)
        mu = x.mean(-1, keepdim=True)
        xc = x - mu
        var = (xc * xc).mean(-1, keepdim=True)
        return xc * torch.rsqrt(var + ln_eps) * self.weight + self.bias


def gelu(x):
    return F.gelu(x, approximate="tanh")


class MixerLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.token_norm = LayerNorm(dim)
        self.token_fc1 = nn.Linear(max_tokens, token_hidden)
        self.token_fc2 = nn.Linear(token_hidden, max_tokens)
        self.channel_norm = LayerNorm(dim)
        self.channel_fc1 = nn.Linear(dim, channel_hidden)
        self.channel_fc2 = nn.Linear(channel_hidden, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):  # x (B, T, D), mask (B, T, 1)
        y = self.token_norm(x) * mask  # padding contributes nothing to real tokens
        y = self.token_fc2(gelu(self.token_fc1(y.transpose(1, 2)))).transpose(1, 2)  # (B, D, T) mixed over T
        x = x + self.drop(y)
        y = self.channel_fc2(gelu(self.channel_fc1(self.channel_norm(x))))  # (B, T, D)
        return x + self.drop(y)


class NeuroLite(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Parameter(torch.randn(feature_dim, dim) * (1.0 / math.sqrt(num_hashes)))  # (F, D)
        self.layers = nn.ModuleList(MixerLayer() for _ in range(layers))
        self.final_norm = LayerNorm(dim)
        self.intent_head = nn.Linear(dim, len(intents))
        self.slot_head = nn.Linear(dim, len(tags))
        self.drop = nn.Dropout(dropout)

    def forward(self, buckets, mask):  # buckets (B, T, K) int, mask (B, T) float
        m = mask.unsqueeze(-1)  # (B, T, 1)
        B, T, K = buckets.shape
        # (B, T, D): sum of the K gathered rows = counting-Bloom row (T, F) @ embed (GATHER + SUM in TFLite)
        x = F.embedding_bag(buckets.reshape(B * T, K).long(), self.embed, mode="sum").reshape(B, T, -1) * m
        for layer in self.layers:
            x = layer(x, m)
        x = self.final_norm(x)  # (B, T, D)
        pooled = (x * m).sum(1) * (1.0 / mask.sum(1, keepdim=True).clamp(min=1.0))  # (B, D) masked mean
        return self.intent_head(self.drop(pooled)), self.slot_head(x)  # (B, n_intents), (B, T, n_tags)


model = NeuroLite()
if init_from:
    from safetensors.torch import load_file
    model.load_state_dict(load_file(str(Path(init_from) / "model.safetensors")))
    print(f"initialised from {init_from}")
n_params = sum(p.numel() for p in model.parameters())
macs = (max_tokens * num_hashes * dim  # embedding-bag adds
        + layers * (dim * 2 * max_tokens * token_hidden + max_tokens * 2 * dim * channel_hidden)
        + dim * len(intents) + max_tokens * dim * len(tags))
print(f"model: {n_params} params, ~{macs / 1e6:.2f} M MACs per sentence at T={max_tokens}")

# --- train ----------------------------------------------------------------------------------------
train = tensors["train"]
n_train = len(train["intent"])
steps_per_epoch = math.ceil(n_train / batch_size)
total_steps = epochs * steps_per_epoch
decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim < 2 or "norm" in name else decay).append(p)
opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=lr)
warmup = max(1, int(warmup_frac * total_steps))
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, total_steps - warmup))))


def perturb(buckets, mask, tags):
    """Training-time regularizers; inference always puts the sentence at position 0 with every token."""
    B, T = mask.shape
    if shift_max > 0:
        lengths = mask.sum(1).long()  # (B,)
        off = torch.minimum(torch.randint(0, shift_max + 1, (B,), generator=gen), T - lengths)  # (B,)
        src = torch.arange(T)[None, :] - off[:, None]  # (B, T) source position of each slot
        valid = src >= 0
        src = src.clamp(min=0)
        buckets = torch.gather(buckets, 1, src[:, :, None].expand(-1, -1, buckets.shape[2])) * valid[:, :, None]
        mask = torch.gather(mask, 1, src) * valid
        tags = torch.gather(tags, 1, src) * valid
    if token_drop > 0:
        drop = (torch.rand(mask.shape, generator=gen) < token_drop).float() * mask
        keep_all = (mask - drop).sum(1, keepdim=True) == 0  # never drop a whole sentence
        mask = torch.where(keep_all, mask, mask - drop)
    return buckets, mask, tags


@torch.no_grad()
def predict(t: dict):
    was_training = model.training
    model.eval()
    intent_logits, slot_logits = [], []
    for i in range(0, len(t["intent"]), 512):
        a, b = model(t["buckets"][i : i + 512], t["mask"][i : i + 512])
        intent_logits.append(a)
        slot_logits.append(b)
    model.train(was_training)  # the final evaluation must leave the model in eval mode for reference.json
    return torch.cat(intent_logits), torch.cat(slot_logits)


def evaluate(split: str) -> dict:
    """Intent accuracy, CoNLL span-level slot F1 (over projection tokens, BIO-constrained decoding), exact match; overall and per language."""
    t, examples = tensors[split], ds.splits[split]
    il, sl = predict(t)
    pred_intent = il.argmax(-1).tolist()
    groups: dict[str, dict] = {}
    confusion: dict[str, dict[str, int]] = {}
    for i, e in enumerate(examples):
        n = int(t["mask"][i].sum())
        gold = set(bio_chunks([tags[j] for j in t["tags"][i][:n].tolist()]))
        pred = set(bio_chunks(bio_viterbi(sl[i][:n].tolist(), tags)))  # the decoding the board uses
        ok_intent = pred_intent[i] == int(t["intent"][i])
        for g in ("all", e.lang or "und"):
            s = groups.setdefault(g, {"n": 0, "intent_ok": 0, "exact": 0, "tp": 0, "n_pred": 0, "n_gold": 0})
            s["n"] += 1
            s["intent_ok"] += ok_intent
            s["exact"] += ok_intent and gold == pred
            s["tp"] += len(gold & pred)
            s["n_pred"] += len(pred)
            s["n_gold"] += len(gold)
        row = confusion.setdefault(e.intent, {})
        row[intents[pred_intent[i]]] = row.get(intents[pred_intent[i]], 0) + 1
    report = {}
    for g, s in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        p = s["tp"] / s["n_pred"] if s["n_pred"] else 1.0
        r = s["tp"] / s["n_gold"] if s["n_gold"] else 1.0
        report[g] = {"n": s["n"], "intent_accuracy": s["intent_ok"] / s["n"], "slot_precision": p, "slot_recall": r,
                     "slot_f1": 2 * p * r / (p + r) if p + r else 0.0, "exact_match": s["exact"] / s["n"]}
    report["confusion"] = {k: dict(sorted(v.items(), key=lambda kv: -kv[1])) for k, v in sorted(confusion.items())}
    return report


def print_split(split: str, r: dict) -> None:
    for g in [k for k in r if k != "confusion"]:
        print(f"{split} {g}: intent {r[g]['intent_accuracy']:.4f} slot F1 {r[g]['slot_f1']:.4f} "
              f"exact {r[g]['exact_match']:.4f} (n={r[g]['n']})")


def state_hash() -> str:
    h = hashlib.sha256()
    for k, v in sorted(model.state_dict().items()):
        h.update(k.encode())
        h.update(v.contiguous().numpy().tobytes())
    return h.hexdigest()


if eval_only:
    # Re-score a finished run with this recipe's evaluation (e.g. after the decoding changed); its weights,
    # config and the rest of its report (best epoch, training time, export results) stay as they are.
    assert init_from, "--eval_only needs --init_from RUN"
    model.eval()
    _report_file = Path(init_from) / "report.json"
    _report = json.loads(_report_file.read_text())
    assert _report.get("data_sha256") == ds.sha256, f"--eval_only: {data} is not the data {init_from} was trained on"
    _report["splits"] = {split: evaluate(split) for split in ("dev", "test") if split in tensors}
    _report_file.write_text(json.dumps(_report, ensure_ascii=False, indent=1) + "\n")
    for split, r in _report["splits"].items():
        print_split(split, r)
    print(f"rewrote the splits of {_report_file}")
    sys.exit(0)

t0 = time.time()
best, best_state, best_epoch = -1.0, None, 0
gen = torch.Generator().manual_seed(seed)
step = 0
for epoch in range(1, epochs + 1):
    perm = torch.randperm(n_train, generator=gen)
    bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch}/{epochs}", mininterval=2.0, file=sys.stdout,
               disable=None if sys.stdout.isatty() else False)
    for s in bar:
        idx = perm[s * batch_size : (s + 1) * batch_size]
        buckets, mask, tag_ids = perturb(train["buckets"][idx], train["mask"][idx], train["tags"][idx])
        il, sl = model(buckets, mask)
        loss_intent = F.cross_entropy(il, train["intent"][idx], label_smoothing=label_smoothing)
        tok_loss = F.cross_entropy(sl.reshape(-1, len(tags)), tag_ids.reshape(-1), reduction="none")
        loss_slot = (tok_loss * mask.reshape(-1)).sum() / mask.sum()
        loss = loss_intent + slot_loss_weight * loss_slot
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        if s % 20 == 0:
            bar.set_postfix(loss=f"{loss.item():.4f}", lr=f"{sched.get_last_lr()[0]:.2e}")
    bar.close()
    split = "dev" if "dev" in tensors else "train"
    if epoch % eval_every == 0 or epoch == epochs:
        r = evaluate(split)["all"]
        score = r["exact_match"] + r["intent_accuracy"]
        print(f"epoch {epoch}: {split} intent {r['intent_accuracy']:.4f} slot F1 {r['slot_f1']:.4f} "
              f"exact {r['exact_match']:.4f} ({time.time() - t0:.0f} s)")
        if score > best:
            best, best_epoch = score, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
train_seconds = time.time() - t0
model.load_state_dict(best_state)
model.eval()
print(f"kept epoch {best_epoch} (best on dev); trained in {train_seconds:.0f} s")

# --- evaluate -------------------------------------------------------------------------------------
report = {"format": "neurolite-report", "version": FORMAT_VERSION, "data_sha256": ds.sha256, "best_epoch": best_epoch,
          "train_seconds": round(train_seconds, 1), "splits": {}}
for split in ("dev", "test"):
    if split in tensors:
        report["splits"][split] = evaluate(split)
        print_split(split, report["splits"][split])

# --- export ---------------------------------------------------------------------------------------
def git_commit() -> str:
    try:
        here = Path(__file__).resolve().parent
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=here, capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError) as err:  # no git (a tarball): say so rather than fail
        return f"unknown ({err.__class__.__name__})"


weights = {k: v.contiguous() for k, v in model.state_dict().items()}
save_file(weights, str(out_dir / "model.safetensors"), metadata={"format": "neurolite-weights", "version": str(FORMAT_VERSION)})
labels = {"intents": intents, "tags": tags}
(out_dir / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n")
model_config = {
    "format": "neurolite-config", "version": FORMAT_VERSION, "recipe": "firmware-models/neurolite/train.py",
    "config": config, "projection": {"version": PROJECTION_VERSION, **asdict(proj)},
    "architecture": {
        "inputs": {"buckets": f"(T={max_tokens}, K={num_hashes}) int32 in [0, F); padding rows are 0 and masked",
                   "mask": f"(T={max_tokens},) float32, 1 for real tokens, 0 for padding"},
        "outputs": {"intent_logits": f"({len(intents)},)", "slot_logits": f"(T={max_tokens}, {len(tags)})"},
        "gelu": "tanh approximation", "layer_norm_eps": ln_eps, "params": n_params, "macs_per_sentence": macs,
        "tensor_order": list(weights)},
    "labels": labels, "data": {"path": data, "format": ds.format, "sha256": ds.sha256,
                               "sizes": {k: len(v) for k, v in ds.splits.items()}},
    "git_commit": git_commit(), "weights_sha256": state_hash(), "torch": torch.__version__,
}
(out_dir / "config.json").write_text(json.dumps(model_config, ensure_ascii=False, indent=1) + "\n")
(out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")

ref_split = "test" if "test" in tensors else "train"
ref_n = min(reference_sentences, len(ds.splits[ref_split]))
t = tensors[ref_split]
model.eval()  # no dropout: these are the logits the exported graph must reproduce
with torch.no_grad():
    il, sl = model(t["buckets"][:ref_n], t["mask"][:ref_n])
reference = {"format": "neurolite-reference", "version": FORMAT_VERSION, "dtype": "float32", "sentences": [
    {"text": ds.splits[ref_split][i].text, "buckets": t["buckets"][i].tolist(), "mask": t["mask"][i].tolist(),
     "intent_logits": il[i].tolist(), "slot_logits": sl[i].tolist(),
     "intent": intents[int(il[i].argmax())]} for i in range(ref_n)]}
(out_dir / "reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n")
print(f"wrote {out_dir}/model.safetensors config.json labels.json report.json reference.json (weights {model_config['weights_sha256'][:16]})")
