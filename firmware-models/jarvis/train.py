"""Jarvis-nano recipe (#11): tokenizer, packed pretraining of a llama2 model, llama2.c export, parity reference.

Reads top to bottom: arguments, documents, tokenizer, packing, training, reference logits, outputs.

usage: train.py --data FILE --out DIR [--preset ci|mini|nano] [--steps N] [--seed S] [--init-from DIR]
                [--threads N] [--batch-size N] [--lr X] [--val-frac X]

- FILE: UTF-8 text, one document per block of lines separated by a blank line; or, when the name
  ends in .jsonl, one JSON object per line with a "text" field (one document each), or with a
  "messages" list (a chat: make_chats.py's format). CRLF reads as LF.
- Chats: each is one training row, rendered as the board renders a prompt (BOS, then per message its
  role symbol and its text; an assistant message ends with EOS) and trained only on the assistant's
  tokens and their EOS (a loss mask); rows are padded per batch, never packed, so no chat sees another.
- Documents are split (seeded) into train and validation; the tokenizer (tokenizer.py) is trained on
  the train documents unless --init-from gives one. Every document is encoded with BOS before it
  (no EOS), concatenated, and cut into windows of max_seq_len + 1 tokens (stride max_seq_len).
- AdamW (weight decay on matrices only), linear warm-up then cosine decay to a tenth of the peak
  rate, gradient clipping at 1. Same data, arguments and seed give bit-identical files
  (torch.use_deterministic_algorithms, seeded batch order, single-process data).
- --init-from DIR continues from a previous run's model.bin with its tokenizer and shape (fine-tuning);
  the optimizer starts fresh.

Writes DIR/model.bin (llama2.c version 1, float32), tokenizer.model, tokenizer.bin (llama2.c format),
config.json, report.json (losses, steps, seconds, parameters) and reference.json (the PyTorch logits
after each of 64 validation tokens, for the TS importer's parity test). Never downloads.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tokenizer as tok  # noqa: E402
from model import IGNORE, PRESETS, ModelConfig, Transformer, read_llama2c, write_llama2c  # noqa: E402

FORMAT_VERSION = 1  # of the files this script writes
REFERENCE_TOKENS = 64
EVAL_WINDOWS = 64  # validation windows evaluated at most (the same ones every time)
# Training defaults per preset; --steps, --batch-size and --lr override them.
TRAINING = {
    "ci": dict(steps=300, batch_size=16, lr=3e-3),
    "mini": dict(steps=2000, batch_size=32, lr=1e-3),
    "nano": dict(steps=20000, batch_size=32, lr=3e-4),
}
PARENT_FILES = ("config.json", "model.bin", "tokenizer.model", "tokenizer.bin")
ROLES = {"system": "<|system|>", "user": "<|user|>", "assistant": "<|assistant|>", "note": "<|note|>", "tool": "<|tool|>"}


class RecipeError(Exception):
    """Bad input: printed as one line, exit status 2."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Train a Jarvis llama2 model and export it for llama2.c and Wulf.")
    ap.add_argument("--data", required=True, help="UTF-8 text (blank-line separated documents) or .jsonl with a text field")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--preset", choices=sorted(PRESETS), default=None, help="model shape and training defaults (default mini, or the parent's)")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate")
    ap.add_argument("--warmup-frac", type=float, default=0.1, help="share of steps with linear warm-up")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--val-frac", type=float, default=0.1, help="share of documents held out for validation")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--init-from", default=None, help="a previous run's folder: continue from its weights and tokenizer")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = ap.parse_args(argv)
    for name in ("steps", "batch_size", "threads"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise RecipeError(f"--{name.replace('_', '-')} must be at least 1 (got {value})")
    if not 0 < args.val_frac < 1:
        raise RecipeError(f"--val-frac must be between 0 and 1 (got {args.val_frac})")
    return args


# --- documents ------------------------------------------------------------------------------------

def check_chat(messages, where: str) -> list[dict]:
    if not isinstance(messages, list) or not messages:
        raise RecipeError(f"{where}: \"messages\" must be a non-empty list")
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES or not isinstance(m.get("content"), str):
            raise RecipeError(f"{where}: message {i} needs a role ({', '.join(ROLES)}) and a string content")
    if not any(m["role"] == "assistant" for m in messages):
        raise RecipeError(f"{where}: a chat needs at least one assistant message (the only text it trains on)")
    return messages


def doc_lines(doc) -> list[str]:
    """The lines the tokenizer learns from: a text's lines, or every message's."""
    return doc.split("\n") if isinstance(doc, str) else [line for m in doc for line in m["content"].split("\n")]


def read_documents(path: Path) -> tuple[list, str]:
    """The documents of a text or JSONL file (strings, or message lists for chats), and the format name."""
    if not path.is_file():
        raise RecipeError(f"data file {path} not found")
    try:
        text = path.read_text("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as e:
        raise RecipeError(f"{path} is not UTF-8 text ({e})")
    if path.suffix == ".jsonl":
        docs, fmt = [], None
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise RecipeError(f"{path}:{n}: not JSON ({e.msg})")
            kind = "chat" if isinstance(row, dict) and "messages" in row else "jsonl"
            if fmt is not None and kind != fmt:
                raise RecipeError(f"{path}:{n}: mixes chats (\"messages\") and texts (\"text\"); use one kind per file")
            fmt = kind
            if kind == "chat":
                docs.append(check_chat(row["messages"], f"{path}:{n}"))
            elif not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise RecipeError(f"{path}:{n}: a JSONL line needs a string \"text\" field or a \"messages\" list")
            else:
                docs.append(row["text"])
        if fmt == "chat":
            return docs, fmt
        fmt = "jsonl"
    else:
        docs = re.split(r"\n[ \t]*\n", text)
        fmt = "text"
    docs = [d.strip("\n") for d in docs if d.strip()]
    if not docs:
        raise RecipeError(f"{path} holds no text (empty corpus)")
    return docs, fmt


def split_documents(docs: list[str], val_frac: float, seed: int) -> tuple[list[str], list[str]]:
    if len(docs) < 2:
        raise RecipeError("the corpus is one document: separate documents with a blank line so some can be held out for validation")
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    n_val = min(len(docs) - 1, max(1, round(len(docs) * val_frac)))
    val = sorted(order[:n_val])
    train = sorted(order[n_val:])
    return [docs[i] for i in train], [docs[i] for i in val]


# --- tokenizer and packing ------------------------------------------------------------------------

def parent_run(folder: str) -> dict:
    """A previous run's config.json, after checking the folder holds every file --init-from needs."""
    d = Path(folder)
    if not d.is_dir():
        raise RecipeError(f"--init-from {d}: no such folder")
    missing = [f for f in PARENT_FILES if not (d / f).is_file()]
    if missing:
        raise RecipeError(f"--init-from {d}: missing {', '.join(missing)} (a train.py output folder has {', '.join(PARENT_FILES)})")
    try:
        cfg = json.loads((d / "config.json").read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RecipeError(f"--init-from {d}: config.json is not JSON ({e})")
    if not isinstance(cfg, dict) or cfg.get("recipe") != "jarvis" or "model" not in cfg:
        raise RecipeError(f"--init-from {d}: config.json is not a Jarvis train.py config")
    try:
        ModelConfig.from_dict(cfg["model"])
    except (TypeError, ValueError) as e:
        raise RecipeError(f"--init-from {d}: config.json's model is not valid ({e})")
    return cfg


def shape_of(cfg: ModelConfig) -> tuple:
    return (cfg.dim, cfg.hidden_dim, cfg.n_layers, cfg.n_heads, cfg.n_kv_heads, cfg.vocab_size, cfg.max_seq_len, cfg.tie_embeddings)


def parent_model(folder: str, cfg: ModelConfig) -> Transformer:
    """The parent's model.bin weights in a model built from its config.json (its norm_eps and dropout)."""
    try:
        loaded = read_llama2c(Path(folder) / "model.bin")
    except ValueError as e:
        raise RecipeError(f"--init-from: {e}")
    if shape_of(loaded.cfg) != shape_of(cfg):
        raise RecipeError(f"--init-from {folder}: model.bin's header {shape_of(loaded.cfg)} does not match its config.json {shape_of(cfg)}")
    model = Transformer(cfg)
    model.load_state_dict(loaded.state_dict())
    return model


def encode_stream(sp, docs: list[str]) -> torch.Tensor:
    """BOS, then the document's ids, for every document, concatenated."""
    ids: list[int] = []
    for piece_ids in sp.encode(docs):
        ids.append(tok.BOS)
        ids.extend(piece_ids)
    return torch.tensor(ids, dtype=torch.long)


def encode_chat(sp, messages: list[dict]) -> tuple[list[int], list[int]]:
    """A chat as the board renders it, and its labels: the token itself where it is the assistant's
    (its text and the EOS that ends it), IGNORE elsewhere."""
    ids, labels = [tok.BOS], [IGNORE]
    for m in messages:
        ids.append(sp.piece_to_id(ROLES[m["role"]]))
        labels.append(IGNORE)
        content = sp.encode(m["content"]) if m["content"] else []
        ids.extend(content)
        if m["role"] == "assistant":
            ids.append(tok.EOS)
            labels.extend(content + [tok.EOS])
        else:
            labels.extend([IGNORE] * len(content))
    return ids, labels


class Rows:
    """Training rows and how a batch of them becomes (inputs, targets).

    Text: fixed windows cut from the packed stream. Chats: one chat per row (cut to the context),
    right-padded to the longest of the batch with IGNORE targets."""

    def __init__(self, windows_: torch.Tensor | None = None, chats: list[tuple[list[int], list[int]]] | None = None, seq_len: int = 0):
        self.windows = windows_
        self.chats = [(ids[:seq_len + 1], labels[:seq_len + 1]) for ids, labels in chats] if chats is not None else None
        self.truncated = sum(len(ids) > seq_len + 1 for ids, _ in chats) if chats is not None else 0

    def __len__(self) -> int:
        return len(self.windows) if self.windows is not None else len(self.chats)

    def epoch(self, batch_size: int, gen: torch.Generator) -> list[torch.Tensor]:
        """One pass in seeded random batches. Chats are grouped by length (sorted within pools of 64
        batches, the batches then shuffled) so padding stays small."""
        order = torch.randperm(len(self), generator=gen)
        if self.chats is not None:
            pool = batch_size * 64
            order = torch.cat([chunk[torch.tensor([len(self.chats[int(i)][0]) for i in chunk]).argsort(stable=True)]
                               for chunk in order.split(pool)])
        batches = [b for b in order.split(batch_size) if len(b) == batch_size]
        return [batches[int(i)] for i in torch.randperm(len(batches), generator=gen)]

    def batch(self, index) -> tuple[torch.Tensor, torch.Tensor]:
        if self.windows is not None:
            b = self.windows[index]
            return b[:, :-1], b[:, 1:]
        rows = [self.chats[int(i)] for i in index]
        width = max(len(ids) for ids, _ in rows) - 1
        x = torch.zeros((len(rows), width), dtype=torch.long)
        y = torch.full((len(rows), width), IGNORE, dtype=torch.long)
        for r, (ids, labels) in enumerate(rows):
            x[r, :len(ids) - 1] = torch.tensor(ids[:-1])
            y[r, :len(ids) - 1] = torch.tensor(labels[1:])
        return x, y


def windows(stream: torch.Tensor, seq_len: int) -> torch.Tensor:
    """[N, seq_len + 1] windows with stride seq_len (each token is a target once)."""
    n = (len(stream) - 1) // seq_len
    return torch.stack([stream[i * seq_len:i * seq_len + seq_len + 1] for i in range(n)]) if n else stream.new_zeros((0, seq_len + 1))


# --- training -------------------------------------------------------------------------------------

def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(model: Transformer, lr: float, weight_decay: float) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)


@torch.no_grad()
def evaluate(model: Transformer, rows: Rows, batch_size: int) -> float:
    """Mean loss per trained target over the rows."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(rows), batch_size):
        x, y = rows.batch(torch.arange(i, min(len(rows), i + batch_size)))
        n = int((y != IGNORE).sum())
        if n:
            total += model.loss(x, y).item() * n
            count += n
    model.train()
    return total / max(1, count)


def train(model: Transformer, train_wins: Rows, val_wins: Rows, a: argparse.Namespace) -> dict:
    opt = make_optimizer(model, a.lr, a.weight_decay)
    warmup = max(1, int(a.steps * a.warmup_frac))
    eval_every = max(1, a.steps // 5)
    gen = torch.Generator().manual_seed(a.seed)
    if len(train_wins) < a.batch_size:
        raise RecipeError(f"{len(train_wins)} training rows are fewer than one batch of {a.batch_size}: give more data or a smaller --batch-size")
    batches: list[torch.Tensor] = []
    val_history = [(0, evaluate(model, val_wins, a.batch_size))]
    losses: list[float] = []
    start = time.time()
    model.train()
    bar = tqdm(range(a.steps), desc="train", unit="step", mininterval=1.0, file=sys.stderr)
    for step in bar:
        if not batches:  # a new pass over the rows
            batches = train_wins.epoch(a.batch_size, gen)
        x, y = train_wins.batch(batches.pop())
        for g in opt.param_groups:
            g["lr"] = lr_at(step, a.steps, a.lr, warmup)
        loss = model.loss(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if (step + 1) % eval_every == 0 or step + 1 == a.steps:
            val_history.append((step + 1, evaluate(model, val_wins, a.batch_size)))
        bar.set_postfix(loss=f"{losses[-1]:.3f}", val=f"{val_history[-1][1]:.3f}", refresh=False)
    bar.close()
    last = losses[-min(10, len(losses)):]
    return {
        "steps": a.steps, "seconds": round(time.time() - start, 2),
        "train_loss_first": losses[0], "train_loss_last": sum(last) / len(last),
        "val_loss_before": val_history[0][1], "val_loss": val_history[-1][1], "val_history": val_history,
        "rows_seen": a.steps * a.batch_size,
    }


# --- reference logits for the TS side -------------------------------------------------------------

@torch.no_grad()
def reference(model: Transformer, sp, val_stream: torch.Tensor, full: bool) -> dict:
    """The float32 logits after each of the first 64 validation tokens (BOS first)."""
    tokens = val_stream[:min(REFERENCE_TOKENS, model.cfg.max_seq_len)]  # length checked by main
    model.eval()
    logits = model(tokens[None])[0].to(torch.float32)
    positions = []
    for row in logits:
        top = torch.topk(row, 5)
        positions.append({"max": row.max().item(), "sum": row.double().sum().item(),
                          "top5": [[int(i), v] for i, v in zip(top.indices.tolist(), top.values.tolist())]})
    out = {"tokens": tokens.tolist(), "text": sp.decode(tokens.tolist()), "positions": positions}
    if full:
        out["logits"] = logits.tolist()
    return out


# --- outputs --------------------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> str:
    try:
        r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=10)
        return r.stdout.strip() if r.returncode == 0 else "unknown"
    except OSError:
        return "unknown"


def write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=1) + "\n", "utf-8")


def main(argv: list[str]) -> None:
    a = parse_args(argv)
    parent = parent_run(a.init_from) if a.init_from else None
    if parent and a.preset and a.preset != parent["preset"]:
        raise RecipeError(f"--init-from keeps the parent's shape (preset {parent['preset']}); --preset {a.preset} conflicts")
    preset = a.preset or (parent["preset"] if parent else "mini")
    for key, value in TRAINING[preset].items():
        if getattr(a, key) is None:
            setattr(a, key, value)

    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)

    data = Path(a.data)
    docs, fmt = read_documents(data)
    train_docs, val_docs = split_documents(docs, a.val_frac, a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    if parent:
        cfg = ModelConfig.from_dict(parent["model"])
        model = parent_model(a.init_from, cfg)
        model_bytes = (Path(a.init_from) / "tokenizer.model").read_bytes()
    else:
        cfg = PRESETS[preset]
        lines = [line for d in train_docs for line in doc_lines(d)]
        try:
            model_bytes = tok.train_tokenizer(lines, cfg.vocab_size, a.seed, a.threads)
        except tok.TokenizerError as e:
            raise RecipeError(f"{e} (corpus: {len(train_docs)} training documents; give more text or a preset with a smaller vocabulary)")
    try:
        sp = tok.write(model_bytes, out)
    except tok.TokenizerError as e:
        raise RecipeError(f"{e}{f' (--init-from {a.init_from})' if parent else ''}")
    if sp.get_piece_size() != cfg.vocab_size:
        raise RecipeError(f"the tokenizer has {sp.get_piece_size()} pieces, the model {cfg.vocab_size}")

    if fmt == "chat":
        train_chats = [encode_chat(sp, d) for d in train_docs]
        val_chats = [encode_chat(sp, d) for d in val_docs]
        train_stream = torch.tensor([t for ids, _ in train_chats for t in ids], dtype=torch.long)
        val_stream = torch.tensor([t for ids, _ in val_chats for t in ids], dtype=torch.long)
        train_wins = Rows(chats=train_chats, seq_len=cfg.max_seq_len)
        val_wins = Rows(chats=val_chats[:EVAL_WINDOWS * 4], seq_len=cfg.max_seq_len)
        shape = f"{len(train_wins)} chats ({train_wins.truncated} cut to the context of {cfg.max_seq_len})"
    else:
        train_stream, val_stream = encode_stream(sp, train_docs), encode_stream(sp, val_docs)
        wins = windows(train_stream, cfg.max_seq_len)
        if len(wins) == 0:
            raise RecipeError(f"the training documents hold {len(train_stream)} tokens, fewer than one window of {cfg.max_seq_len + 1}: give more text")
        val = windows(val_stream, cfg.max_seq_len)[:EVAL_WINDOWS]
        if len(val) == 0:  # a short validation split: one shorter window
            val = val_stream[None]
        train_wins, val_wins = Rows(windows_=wins), Rows(windows_=val)
        shape = f"{len(wins)} windows of {cfg.max_seq_len}"
    if len(val_stream) < min(REFERENCE_TOKENS, cfg.max_seq_len):
        raise RecipeError(f"the validation documents hold {len(val_stream)} tokens, reference.json needs {REFERENCE_TOKENS}: give more text or a larger --val-frac")
    print(f"train.py: {preset}, {len(train_docs)}+{len(val_docs)} documents, {len(train_stream)}+{len(val_stream)} tokens, {shape}", file=sys.stderr)

    if not parent:
        model = Transformer(cfg)

    report = train(model, train_wins, val_wins, a)
    write_llama2c(model, out / "model.bin")
    ref = reference(model, sp, val_stream, full=preset == "ci")
    write_json(out / "reference.json", ref)
    report.update({"params": model.num_params(), "documents": {"train": len(train_docs), "val": len(val_docs)},
                   "tokens": {"train": len(train_stream), "val": len(val_stream)}})
    write_json(out / "report.json", report)
    write_json(out / "config.json", {
        "format_version": FORMAT_VERSION, "recipe": "jarvis", "preset": preset, "model": asdict(cfg),
        "training": {k: getattr(a, k) for k in ("steps", "batch_size", "lr", "warmup_frac", "weight_decay", "val_frac", "seed", "threads", "init_from")},
        "tokenizer": {"vocab_size": sp.get_piece_size(), "unk": tok.UNK, "bos": tok.BOS, "eos": tok.EOS, "byte_offset": tok.BYTE_OFFSET,
                      "special": {s: sp.piece_to_id(s) for s in tok.SPECIAL}, "bin_sha256": sha256_of(out / "tokenizer.bin")},
        "data": {"path": str(data), "format": fmt, "sha256": sha256_of(data)},
        "model_bin_sha256": sha256_of(out / "model.bin"),
        "versions": {"torch": torch.__version__, "sentencepiece": tok.spm.__version__, "python": sys.version.split()[0]},
        "git_commit": git_commit(),
    })
    print(json.dumps({k: report[k] for k in ("steps", "seconds", "params", "train_loss_first", "train_loss_last", "val_loss_before", "val_loss")}))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except RecipeError as e:
        print(f"train.py: {e}", file=sys.stderr)
        sys.exit(2)
