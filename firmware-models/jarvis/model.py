"""Jarvis model (#11): the llama2 architecture in PyTorch, as llama2.c's run.c and our TS importer compute it.

Reads top to bottom: config and presets, the blocks, the model, llama2.c's version 1 file format.

- Pre-norm residual blocks: x += wo(attention(RMSNorm(x))); x += w2(silu(w1 h) * w3 h), h = RMSNorm(x).
- RMSNorm: x * rsqrt(mean(x²) + eps) * weight, eps 1e-5.
- Attention: causal, scaled by 1/sqrt(head_dim); grouped-query when n_kv_heads < n_heads (query head
  h reads key/value head h // (n_heads / n_kv_heads)).
- RoPE as llama2.c and Meta's llama rotate: the interleaved pairs (x[2i], x[2i+1]) of each head by the
  angle pos · 10000^(-2i/head_dim). (Our TS importer permutes wq/wk rows to its rotate-half graph.)
- The classifier shares the token embedding when tie_embeddings (llama2.c's shared_classifier flag).
- Every Linear has no bias; weights are [out, in], as llama2.c stores them.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LLAMA2C_MAGIC = 0x616B3432  # "ak42" read as a little-endian uint32
LLAMA2C_HEADER_BYTES = 256
IGNORE = -100  # a target that takes no part in the loss


@dataclass
class ModelConfig:
    dim: int
    hidden_dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    max_seq_len: int
    norm_eps: float = 1e-5
    dropout: float = 0.0
    tie_embeddings: bool = True

    def __post_init__(self) -> None:
        if self.dim % self.n_heads or (self.dim // self.n_heads) % 2:
            raise ValueError(f"dim {self.dim} must split into {self.n_heads} heads of even size")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(f"{self.n_heads} heads do not split into {self.n_kv_heads} key/value heads")

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @staticmethod
    def from_dict(d: dict) -> "ModelConfig":
        names = {f.name for f in fields(ModelConfig)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown model config keys {unknown}")
        return ModelConfig(**d)


PRESETS = {
    # The board model: 30.4 M parameters (5.1 M of them the tied embedding), 512 positions.
    "nano": ModelConfig(dim=512, hidden_dim=1376, n_layers=8, n_heads=8, n_kv_heads=8, vocab_size=10000, max_seq_len=512),
    # The committed default: 2.2 M parameters, trains on this machine's 2 CPU cores in under an hour.
    "mini": ModelConfig(dim=192, hidden_dim=512, n_layers=4, n_heads=4, n_kv_heads=4, vocab_size=2048, max_seq_len=256),
    # Tests: 124 k parameters, seconds to train, grouped-query attention included.
    "ci": ModelConfig(dim=64, hidden_dim=172, n_layers=2, n_heads=4, n_kv_heads=2, vocab_size=512, max_seq_len=64),
}


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_dim: int, max_seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of pos · 10000^(-2i/head_dim), [max_seq_len, head_dim/2], float32."""
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    angles = torch.outer(torch.arange(max_seq_len, dtype=torch.float32), inv_freq)
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x: [B, T, heads, head_dim]; rotates each interleaved pair (x[2i], x[2i+1])."""
    pairs = x.reshape(*x.shape[:-1], -1, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((a * c - b * s, a * s + b * c), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads, self.n_kv_heads, self.head_dim = cfg.n_heads, cfg.n_kv_heads, cfg.head_dim
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * cfg.head_dim, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * cfg.head_dim, bias=False)
        self.wo = nn.Linear(cfg.n_heads * cfg.head_dim, cfg.dim, bias=False)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        q = apply_rope(self.wq(x).view(B, T, self.n_heads, self.head_dim), cos, sin)
        k = apply_rope(self.wk(x).view(B, T, self.n_kv_heads, self.head_dim), cos, sin)
        v = self.wv(x).view(B, T, self.n_kv_heads, self.head_dim)
        group = self.n_heads // self.n_kv_heads
        # query head h reads kv head h // group
        k = k.repeat_interleave(group, dim=2)
        v = v.repeat_interleave(group, dim=2)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [B, heads, T, head_dim]
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim) + mask
        att = self.dropout(F.softmax(scores, dim=-1))
        return self.wo((att @ v).transpose(1, 2).reshape(B, T, -1))


class FeedForward(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)
        self.w2 = nn.Linear(cfg.hidden_dim, cfg.dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.hidden_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.feed_forward = FeedForward(cfg)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.dropout(self.attention(self.attention_norm(x), cos, sin, mask))
        return x + self.dropout(self.feed_forward(self.ffn_norm(x)))


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.output.weight = self.tok_embeddings.weight
        cos, sin = rope_tables(cfg.head_dim, cfg.max_seq_len)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Normal(0, 0.02) matrices; the residual outputs (wo, w2) scaled down by sqrt(2 · layers)."""
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * self.cfg.n_layers) if name.endswith(("wo.weight", "w2.weight")) else 0.02
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens [B, T] -> logits [B, T, vocab] (the logits after each position)."""
        T = tokens.shape[1]
        if T > self.cfg.max_seq_len:
            raise ValueError(f"{T} tokens exceed the context of {self.cfg.max_seq_len}")
        mask = torch.full((T, T), float("-inf"), device=tokens.device).triu(1)
        cos, sin = self.rope_cos[:T], self.rope_sin[:T]
        x = self.dropout(self.tok_embeddings(tokens))
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.output(self.norm(x))

    def loss(self, tokens: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the targets; a target of IGNORE (-100) is not trained (chat masks, padding)."""
        logits = self(tokens)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())  # a tied classifier is counted once


# --- llama2.c's "version 1" float32 file ----------------------------------------------------------
# 256-byte header: uint32 magic, int32 version 1, int32 dim, hidden_dim, n_layers, n_heads,
# n_kv_heads, vocab_size, max_seq_len, uint8 shared_classifier, zeros. Then float32 tensors: every
# layer's attention_norm, every ffn_norm, the final norm, the embedding, every wq, wk, wv, wo, w1,
# w2, w3, and the classifier only when it is not shared.

def _file_order(cfg: ModelConfig) -> list[tuple[str, tuple[int, ...]]]:
    """(state-dict name, shape) in llama2.c's version 1 order."""
    L, d, h, kv = cfg.n_layers, cfg.dim, cfg.hidden_dim, cfg.n_kv_heads * cfg.head_dim
    matrices = [("attention.wq", (d, d)), ("attention.wk", (kv, d)), ("attention.wv", (kv, d)), ("attention.wo", (d, d)),
                ("feed_forward.w1", (h, d)), ("feed_forward.w2", (d, h)), ("feed_forward.w3", (h, d))]
    order = [(f"layers.{l}.attention_norm.weight", (d,)) for l in range(L)]
    order += [(f"layers.{l}.ffn_norm.weight", (d,)) for l in range(L)]
    order += [("norm.weight", (d,)), ("tok_embeddings.weight", (cfg.vocab_size, d))]
    for name, shape in matrices:
        order += [(f"layers.{l}.{name}.weight", shape) for l in range(L)]
    if not cfg.tie_embeddings:
        order.append(("output.weight", (cfg.vocab_size, d)))
    return order


def llama2c_header(cfg: ModelConfig) -> bytes:
    head = struct.pack("<Ii7iB", LLAMA2C_MAGIC, 1, cfg.dim, cfg.hidden_dim, cfg.n_layers, cfg.n_heads, cfg.n_kv_heads,
                       cfg.vocab_size, cfg.max_seq_len, int(cfg.tie_embeddings))
    return head + b"\0" * (LLAMA2C_HEADER_BYTES - len(head))


def write_llama2c(model: Transformer, path: str | Path) -> None:
    state = model.state_dict()
    with open(path, "wb") as f:
        f.write(llama2c_header(model.cfg))
        for name, shape in _file_order(model.cfg):
            assert tuple(state[name].shape) == shape, (name, tuple(state[name].shape), shape)
            f.write(state[name].detach().cpu().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())


def read_llama2c(path: str | Path) -> Transformer:
    """A version 1 float32 file back into a Transformer (norm_eps 1e-5, no dropout)."""
    buf = Path(path).read_bytes()
    if len(buf) < LLAMA2C_HEADER_BYTES:
        raise ValueError(f"{path}: {len(buf)} bytes is shorter than a llama2.c version 1 header")
    magic, version, *params, shared = struct.unpack_from("<Ii7iB", buf, 0)
    if magic != LLAMA2C_MAGIC or version != 1:
        raise ValueError(f"{path}: not a llama2.c version 1 float32 checkpoint (magic {magic:#x}, version {version})")
    if not all(0 < p <= 1 << 20 for p in params):
        raise ValueError(f"{path}: implausible header {params}")
    dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, max_seq_len = params
    cfg = ModelConfig(dim=dim, hidden_dim=hidden_dim, n_layers=n_layers, n_heads=n_heads, n_kv_heads=n_kv_heads,
                      vocab_size=vocab_size, max_seq_len=max_seq_len, tie_embeddings=bool(shared))
    order = _file_order(cfg)
    expected = LLAMA2C_HEADER_BYTES + 4 * sum(math.prod(shape) for _, shape in order)
    if len(buf) != expected:
        raise ValueError(f"{path}: expected {expected} bytes for its header's shape, the file has {len(buf)}")
    model = Transformer(cfg)
    state = model.state_dict()
    offset = LLAMA2C_HEADER_BYTES
    with torch.no_grad():
        for name, shape in order:
            n = math.prod(shape)
            state[name].copy_(torch.from_numpy(np.frombuffer(buf, dtype="<f4", count=n, offset=offset).copy()).view(shape))
            offset += 4 * n
    return model

