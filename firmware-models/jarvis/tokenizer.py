"""Jarvis tokenizer (#11): a SentencePiece BPE model trained on our text, exported as llama2.c's tokenizer.bin.

Reads top to bottom: the special symbols, training, the id reordering, the llama2.c export, a CLI.

- Byte fallback (a code point outside the vocabulary becomes its UTF-8 bytes, `<0x00>`..`<0xFF>`),
  identity normalization (no NFKC) and no collapsing of spaces: the text the board sees is the text
  the model was trained on, and llama2.c's run.c (mirrored by src/generate/bpe.ts) can encode it.
- A dummy-prefix space, digits split one by one, whitespace-only pieces allowed (indentation).
- Ids as llama2.c expects them: 0 <unk>, 1 <s> (BOS), 2 </s> (EOS), 3..258 the byte tokens, then our
  chat and tool symbols (SPECIAL), then the learned pieces. No padding id. SentencePiece itself puts
  user-defined symbols before the byte tokens; `bytes_first` moves them after (ids only: pieces,
  scores and types are unchanged) because the board's encoder, like run.c, finds byte b at id b + 3.
- tokenizer.bin: int32 max_token_length, then per id float32 score, int32 byte length, the piece's
  UTF-8 bytes with `▁` written as a space (BOS and EOS as "\n<s>\n" and "\n</s>\n", as llama2.c's
  export writes them).
Deterministic: same lines, vocabulary size and seed give the same bytes. Never downloads.

usage: tokenizer.py --data FILE --out DIR --vocab-size N [--seed S]   (every non-empty line is a sentence)
"""
from __future__ import annotations

import argparse
import io
import struct
import sys
from pathlib import Path
from typing import Iterable

import sentencepiece as spm

UNK, BOS, EOS = 0, 1, 2
BYTE_OFFSET = 3  # <0x00> is id 3
# Chat roles and the tool-call plan syntax (`<CALL:name args>`): always one token each, never merged.
SPECIAL = ["<|system|>", "<|user|>", "<|assistant|>", "<|note|>", "<|tool|>", "<CALL:", ">"]
FIRST_SPECIAL = BYTE_OFFSET + 256  # their ids after bytes_first: 259..265


class TokenizerError(Exception):
    pass


def train_tokenizer(lines: Iterable[str], vocab_size: int, seed: int = 1337, threads: int = 1) -> bytes:
    """SentencePiece BPE on these sentences (one per item); returns the serialized model, ids reordered."""
    sentences = [s for s in lines if s.strip()]
    if not sentences:
        raise TokenizerError("tokenizer: no text to train on (every line is empty)")
    minimum = FIRST_SPECIAL + len(SPECIAL) + 1
    if vocab_size < minimum:
        raise TokenizerError(f"tokenizer: vocab_size {vocab_size} is below {minimum} (3 specials, 256 bytes, {len(SPECIAL)} symbols, pieces)")
    spm.set_random_generator_seed(seed)
    model = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(sentences), model_writer=model, model_type="bpe", vocab_size=vocab_size,
            byte_fallback=True, normalization_rule_name="identity", remove_extra_whitespaces=False,
            add_dummy_prefix=True, split_digits=True, allow_whitespace_only_pieces=True,
            character_coverage=0.9995, max_sentence_length=1 << 16,
            unk_id=UNK, bos_id=BOS, eos_id=EOS, pad_id=-1, user_defined_symbols=SPECIAL,
            input_sentence_size=0, shuffle_input_sentence=False, num_threads=threads, minloglevel=2)
    except RuntimeError as e:  # e.g. a corpus too small for the vocabulary size
        raise TokenizerError(f"tokenizer: SentencePiece could not train a {vocab_size}-piece vocabulary: {e}") from e
    return bytes_first(model.getvalue())


# --- moving the byte tokens to ids 3..258 ---------------------------------------------------------
# A ModelProto's top-level fields are all length-delimited (1: pieces, repeated; 2: trainer spec;
# 3: normalizer spec; 4: self-test data; 5: denormalizer spec), so the pieces can be reordered as raw
# records without a protobuf library.

def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= len(buf):
            raise TokenizerError("tokenizer: truncated SentencePiece model")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _records(buf: bytes) -> list[tuple[int, bytes]]:
    """Top-level (field number, whole record bytes) of a serialized ModelProto, in file order."""
    out, i = [], 0
    while i < len(buf):
        start = i
        tag, i = _varint(buf, i)
        if tag & 7 != 2:
            raise TokenizerError(f"tokenizer: unexpected wire type {tag & 7} in a SentencePiece model")
        n, i = _varint(buf, i)
        i += n
        out.append((tag >> 3, buf[start:i]))
    return out


def bytes_first(model: bytes) -> bytes:
    """unk, bos, eos, SPECIAL, 256 bytes, pieces (SentencePiece's order) -> unk, bos, eos, bytes, SPECIAL, pieces."""
    records = _records(model)
    pieces = [r for f, r in records if f == 1]
    k = len(SPECIAL)
    order = pieces[:3] + pieces[3 + k:3 + k + 256] + pieces[3:3 + k] + pieces[3 + k + 256:]
    out = b"".join(order) + b"".join(r for f, r in records if f != 1)
    check(load(out))
    return out


def load(model: bytes | str | Path) -> spm.SentencePieceProcessor:
    if isinstance(model, (str, Path)):
        model = Path(model).read_bytes()
    try:
        return spm.SentencePieceProcessor(model_proto=model)
    except (RuntimeError, OSError) as e:
        raise TokenizerError(f"tokenizer: not a SentencePiece model ({e})") from e


def check(sp: spm.SentencePieceProcessor) -> None:
    """The id layout llama2.c and the board rely on."""
    want = {UNK: "<unk>", BOS: "<s>", EOS: "</s>"}
    want.update({BYTE_OFFSET + b: f"<0x{b:02X}>" for b in range(256)})
    want.update({FIRST_SPECIAL + i: s for i, s in enumerate(SPECIAL)})
    bad = [(i, p, sp.id_to_piece(i)) for i, p in want.items() if i >= sp.get_piece_size() or sp.id_to_piece(i) != p]
    if bad:
        raise TokenizerError(f"tokenizer: unexpected id layout (id, expected, found): {bad[:5]}")
    if not all(sp.is_byte(BYTE_OFFSET + b) for b in range(256)):
        raise TokenizerError("tokenizer: ids 3..258 are not byte-fallback pieces")


# --- llama2.c's tokenizer.bin ---------------------------------------------------------------------

def llama2c_bin(sp: spm.SentencePieceProcessor) -> bytes:
    pieces, scores = [], []
    for i in range(sp.get_piece_size()):
        piece = {BOS: "\n<s>\n", EOS: "\n</s>\n"}.get(i, sp.id_to_piece(i).replace("\u2581", " "))
        pieces.append(piece.encode("utf-8"))
        scores.append(sp.get_score(i))
    out = [struct.pack("<i", max(len(p) for p in pieces))]
    for p, s in zip(pieces, scores):
        out.append(struct.pack("<fi", s, len(p)) + p)
    return b"".join(out)


def write(model: bytes, out_dir: str | Path) -> spm.SentencePieceProcessor:
    """Writes OUT/tokenizer.model and OUT/tokenizer.bin; returns the loaded processor."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sp = load(model)
    check(sp)
    (out / "tokenizer.model").write_bytes(model)
    (out / "tokenizer.bin").write_bytes(llama2c_bin(sp))
    return sp


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description="Train the Jarvis SentencePiece BPE tokenizer and export tokenizer.bin.")
    ap.add_argument("--data", required=True, help="UTF-8 text file, one sentence per line")
    ap.add_argument("--out", required=True, help="folder for tokenizer.model and tokenizer.bin")
    ap.add_argument("--vocab-size", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args(argv)
    path = Path(args.data)
    if not path.is_file():
        raise SystemExit(f"tokenizer.py: data file {path} not found")
    try:
        sp = write(train_tokenizer(path.read_text("utf-8").split("\n"), args.vocab_size, args.seed), args.out)
    except TokenizerError as e:
        raise SystemExit(str(e))
    print(f"tokenizer.py: {sp.get_piece_size()} pieces -> {args.out}/tokenizer.model, tokenizer.bin")


if __name__ == "__main__":
    main(sys.argv[1:])
