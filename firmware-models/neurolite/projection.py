"""NeuroLite's hashing projection, reference implementation (projection v1).

text -> tokens (with code-point spans in the original text) -> per token, subword pieces ->
MinHash fingerprints (K hash functions, min over the pieces) -> a counting Bloom vector of F
buckets. No vocabulary table: any word, typo or name gets a vector. The TypeScript twin is
src/nlu/projection.ts; test vectors pin them to each other bit for bit. Change nothing here
without bumping PROJECTION_VERSION and regenerating the vectors.

Spec, per original code point c (index i, in code points):
  1. NFKD(c), each resulting char lowercased on its own (str.lower), then chars of general
     category Mn dropped (accents go: "é" -> "e").
  2. Each resulting char is a word char (category L* or N*), a skip char (Z*, Cc, Cf), or an
     "other" char (punctuation, symbols, emoji): a token of its own.
  3. A run of word chars is one word token; its span is [first i, last i + 1).
Pieces of a word w: "w:" + w, and every 2-, 3- and 4-gram of "^" + w + "$". Of another char x: "p:" + x.
Hashes: base = FNV-1a 32 over the piece's UTF-8 bytes; h_k = fmix32(base ^ seed_k) with
seed_k = fmix32(((k + 1) * 0x9E3779B9) mod 2^32); MinHash m_k = min over pieces of h_k;
bucket_k = m_k mod F. The feature row is the count of each bucket (K increments per token).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

PROJECTION_VERSION = 1
M32 = 0xFFFFFFFF


@dataclass(frozen=True)
class ProjectionConfig:
    num_hashes: int = 64  # K, MinHash functions per token
    feature_dim: int = 1024  # F, counting-Bloom buckets
    max_tokens: int = 64  # T, tokens kept (the rest is cut)
    ngram_min: int = 2
    ngram_max: int = 4


@dataclass(frozen=True)
class Token:
    text: str  # normalized form
    start: int  # code-point offset in the original text
    end: int  # exclusive
    is_word: bool


def fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & M32
    return h


def _normalize_char(c: str) -> str:
    out = []
    for d in unicodedata.normalize("NFKD", c):
        for x in d.lower():
            if unicodedata.category(x) != "Mn":
                out.append(x)
    return "".join(out)


def _kind(x: str) -> str:
    cat = unicodedata.category(x)
    if cat[0] in ("L", "N"):
        return "word"
    if cat[0] == "Z" or cat in ("Cc", "Cf"):
        return "skip"
    return "other"


def tokenize(text: str, max_tokens: int = 64) -> list[Token]:
    tokens: list[Token] = []
    word: list[str] = []
    word_start = 0
    word_end = 0

    def flush() -> None:
        nonlocal word
        if word:
            tokens.append(Token("".join(word), word_start, word_end, True))
            word = []

    for i, c in enumerate(text):
        for x in _normalize_char(c):
            kind = _kind(x)
            if kind == "word":
                if not word:
                    word_start = i
                word.append(x)
                word_end = i + 1
            else:
                flush()
                if kind == "other":
                    tokens.append(Token(x, i, i + 1, False))
    flush()
    return tokens[:max_tokens]


def pieces(token: Token, cfg: ProjectionConfig) -> list[str]:
    if not token.is_word:
        return ["p:" + token.text]
    padded = "^" + token.text + "$"
    out = ["w:" + token.text]
    for n in range(cfg.ngram_min, cfg.ngram_max + 1):
        out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


@lru_cache(maxsize=8)
def _seeds(num_hashes: int) -> np.ndarray:
    return np.array([fmix32(((k + 1) * 0x9E3779B9) & M32) for k in range(num_hashes)], dtype=np.uint32)


def _fmix32_np(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


_bucket_cache: dict[tuple, np.ndarray] = {}


def token_buckets(token: Token, cfg: ProjectionConfig) -> np.ndarray:
    """(K,) uint32 bucket indices of one token; memoized (vocabularies repeat a lot)."""
    key = (token.text, token.is_word, cfg)
    hit = _bucket_cache.get(key)
    if hit is not None:
        return hit
    bases = np.array([fnv1a32(p.encode("utf-8")) for p in pieces(token, cfg)], dtype=np.uint32)  # (P,)
    with np.errstate(over="ignore"):
        hashes = _fmix32_np(bases[:, None] ^ _seeds(cfg.num_hashes)[None, :])  # (P, K)
    buckets = hashes.min(axis=0) % np.uint32(cfg.feature_dim)  # (K,)
    if len(_bucket_cache) < 500_000:
        _bucket_cache[key] = buckets
    return buckets


def project(text: str, cfg: ProjectionConfig = ProjectionConfig()) -> tuple[list[Token], np.ndarray]:
    """text -> (tokens, features (T, F) float32 counts), T = len(tokens) <= max_tokens."""
    tokens = tokenize(text, cfg.max_tokens)
    feats = np.zeros((len(tokens), cfg.feature_dim), dtype=np.float32)
    for t, tok in enumerate(tokens):
        np.add.at(feats[t], token_buckets(tok, cfg).astype(np.int64), 1.0)
    return tokens, feats
