"""NeuroLite dataset readers (#5): JointBERT folder layout and JSONL, mapped onto projection tokens.

Labels and slot names come from the data only; nothing here knows our intents. Must not download.

Formats read:
  JointBERT: DIR/{train,dev|valid,test}/{seq.in, seq.out, label}; seq.in is space-separated words,
             seq.out one BIO tag per word, label one intent per line.
  JSONL:     DIR/{train,dev,test}.jsonl, or one FILE.jsonl (read as the test split); each line
             {text, intent, slots:[{name, value, start, end}], lang?} with code-point offsets.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from projection import ProjectionConfig, Token, tokenize

SPLITS = ("train", "dev", "test")


@dataclass
class Example:
    text: str
    intent: str
    slots: list[tuple[str, int, int]]  # (name, start, end) in code points of text
    lang: str = ""
    template_id: str = ""


@dataclass
class Dataset:
    splits: dict[str, list[Example]]
    format: str
    sha256: str  # over the bytes of every file read, in a fixed order
    files: list[str] = field(default_factory=list)


def read_dataset(path: str | Path) -> Dataset:
    p = Path(path)
    if p.is_file():
        return _read_jsonl_files({"test": p})
    if (p / "train" / "seq.in").exists() or (p / "test" / "seq.in").exists():
        return _read_jointbert(p)
    if any((p / f"{s}.jsonl").exists() for s in SPLITS):
        return _read_jsonl_files({s: p / f"{s}.jsonl" for s in SPLITS if (p / f"{s}.jsonl").exists()})
    raise ValueError(f"{p}: neither a JointBERT folder (train/seq.in) nor JSONL (train.jsonl) nor a .jsonl file")


def _read_jsonl_files(files: dict[str, Path]) -> Dataset:
    h = hashlib.sha256()
    splits: dict[str, list[Example]] = {}
    for split in SPLITS:
        if split not in files:
            continue
        raw = files[split].read_bytes()
        h.update(raw)
        out = []
        for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            text = r["text"]
            slots = []
            for s in r.get("slots", []):
                assert 0 <= s["start"] < s["end"] <= len(text), f"{files[split]}:{n}: slot span out of range"
                slots.append((s["name"], s["start"], s["end"]))
            out.append(Example(text, r["intent"], slots, r.get("lang", ""), r.get("template_id", "")))
        splits[split] = out
    return Dataset(splits, "jsonl", h.hexdigest(), [str(f) for f in files.values()])


def _read_jointbert(root: Path) -> Dataset:
    h = hashlib.sha256()
    splits: dict[str, list[Example]] = {}
    for split in SPLITS:
        d = root / split
        if split == "dev" and not d.exists():
            d = root / "valid"
        if not (d / "seq.in").exists():
            continue
        parts = []
        for name in ("seq.in", "seq.out", "label"):
            raw = (d / name).read_bytes()
            h.update(raw)
            parts.append(raw.decode("utf-8").rstrip("\n").split("\n"))
        words_lines, tags_lines, labels = parts
        assert len(words_lines) == len(tags_lines) == len(labels), f"{d}: seq.in, seq.out, label differ in length"
        splits[split] = [_jointbert_example(w, t, lab.strip(), f"{d}:{i + 1}")
                         for i, (w, t, lab) in enumerate(zip(words_lines, tags_lines, labels))]
    return Dataset(splits, "jointbert", h.hexdigest())


def _jointbert_example(words_line: str, tags_line: str, label: str, where: str) -> Example:
    """Words joined by one space; word-level BIO tags become char spans (conlleval's chunk rules)."""
    words, tags = words_line.split(), tags_line.split()
    assert len(words) == len(tags), f"{where}: {len(words)} words but {len(tags)} tags"
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    text = " ".join(words)
    slots = [(name, starts[a], starts[b - 1] + len(words[b - 1])) for name, a, b in bio_chunks(tags)]
    return Example(text, label, slots)


def bio_chunks(tags: list[str]) -> list[tuple[str, int, int]]:
    """BIO tags -> [(name, start, end)] over tag indices; an I- that does not continue starts a chunk."""
    chunks, cur = [], None
    for i, tag in enumerate(list(tags) + ["O"]):
        kind, name = (tag[0], tag[2:]) if tag[:2] in ("B-", "I-") else ("O", "")
        if cur and (kind != "I" or name != cur[0]):
            chunks.append((cur[0], cur[1], i))
            cur = None
        if kind == "B" or (kind == "I" and cur is None):
            cur = (name, i)
    return chunks


def bio_viterbi(scores, tags: list[str]) -> list[str]:
    """The best valid BIO sequence for per-token scores (n, len(tags)) (logits or log-probabilities):
    `I-x` only after `B-x` or `I-x`, never first. Mirrors src/nlu/metrics.ts decodeBio, tie-breaks included."""
    n, m = len(scores), len(tags)
    if n == 0:
        return []
    # For I-x: the index of B-x (-1 if the tag set lacks it); for other tags: None (any predecessor).
    begin_of = [(tags.index("B-" + t[2:]) if "B-" + t[2:] in tags else -1) if t.startswith("I-") else None for t in tags]
    prev = [float(scores[0][j]) if begin_of[j] is None else float("-inf") for j in range(m)]
    back = [[0] * m for _ in range(n)]
    for t in range(1, n):
        best_any = 0
        for i in range(1, m):
            if prev[i] > prev[best_any]:
                best_any = i
        row, cur = scores[t], [0.0] * m
        for j in range(m):
            b = begin_of[j]
            # I-x continues B-x or itself (B-x on a tie); any other tag follows the best of all.
            frm = best_any if b is None else j if b < 0 or prev[j] > prev[b] else b
            cur[j] = prev[frm] + float(row[j])
            back[t][j] = frm
        prev = cur
    last = 0
    for j in range(1, m):
        if prev[j] > prev[last]:
            last = j
    path = [""] * n
    for t in range(n - 1, -1, -1):
        path[t] = tags[last]
        last = back[t][last]
    return path


def token_tags(tokens: list[Token], slots: list[tuple[str, int, int]]) -> list[str]:
    """Char spans -> one BIO tag per projection token (a token belongs to the first span it overlaps)."""
    tags = ["O"] * len(tokens)
    for name, start, end in sorted(slots, key=lambda s: s[1]):
        first = True
        for i, tok in enumerate(tokens):
            if tok.end > start and tok.start < end and tags[i] == "O":
                tags[i] = ("B-" if first else "I-") + name
                first = False
    return tags


def labels_of(ds: Dataset) -> tuple[list[str], list[str]]:
    """(intents, BIO tags) from the data: sorted, tags as O, then B-x, I-x per slot name."""
    intents = sorted({e.intent for split in ds.splits.values() for e in split})
    names = sorted({s[0] for split in ds.splits.values() for e in split for s in e.slots})
    tags = ["O"] + [f"{p}-{n}" for n in names for p in ("B", "I")]
    return intents, tags


def encode(examples: list[Example], cfg: ProjectionConfig, intents: list[str], tags: list[str]):
    """-> (token ids (N, T) int, token table [Token key], intent ids (N,), tag ids (N, T), lengths (N,)).

    Token id 0 is padding; the caller turns the table into buckets once per distinct token."""
    intent_ix = {x: i for i, x in enumerate(intents)}
    tag_ix = {x: i for i, x in enumerate(tags)}
    table: dict[tuple[str, bool], int] = {("", False): 0}
    ids, intent_ids, tag_ids, lengths = [], [], [], []
    for e in examples:
        toks = tokenize(e.text, cfg.max_tokens)
        row = [table.setdefault((t.text, t.is_word), len(table)) for t in toks]
        ids.append(row + [0] * (cfg.max_tokens - len(row)))
        tt = [tag_ix[t] for t in token_tags(toks, e.slots)]
        tag_ids.append(tt + [0] * (cfg.max_tokens - len(tt)))
        intent_ids.append(intent_ix[e.intent])
        lengths.append(len(toks))
    return ids, list(table), intent_ids, tag_ids, lengths
