"""SentencePiece's own ids for text, to compare with the board's encoder (src/generate/bpe.ts).

usage: sp_encode.py TOKENIZER.model [--json] < lines

Each input line (split on "\\n" only) is one text; with --json each line is a JSON string instead, so
a text may hold newlines or carriage returns. Prints one JSON array per text: BOS, then sp.encode(text).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tokenizer as tok  # noqa: E402


def main(argv: list[str]) -> None:
    if not argv or argv[0].startswith("-") or any(a != "--json" for a in argv[1:]):
        raise SystemExit("usage: sp_encode.py TOKENIZER.model [--json] < lines")
    if not Path(argv[0]).is_file():
        raise SystemExit(f"sp_encode.py: {argv[0]} not found")
    sp = tok.load(argv[0])
    lines = sys.stdin.buffer.read().decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line
    texts = [json.loads(line) for line in lines] if "--json" in argv else lines
    for ids in sp.encode(texts):
        print(json.dumps([tok.BOS, *ids]))


if __name__ == "__main__":
    main(sys.argv[1:])
