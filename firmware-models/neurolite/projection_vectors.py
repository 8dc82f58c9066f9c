"""Test vectors for the projection: 1,000 deterministic sentences (French, English, accents,
emoji, digits, punctuation, empty) and, per sentence, its tokens and a sha256 of its bucket
indices (uint32 little-endian, token after token). Prints one JSON object per line.
Used by test/nlu/projection.test.ts to pin src/nlu/projection.ts to this implementation."""
import hashlib
import json
import random
import sys

import numpy as np

from projection import ProjectionConfig, token_buckets, tokenize

FIXED = [
    "",
    " ",
    "Allume la lumière du salon",
    "turn on the living room lights",
    "ÉTEINS LA LUMIÈRE DE LA CHAMBRE !!!",
    "mets le chauffage à 19,5 °C",
    "set a timer for 10 minutes",
    "ajoute du lait à la liste de courses 🥛",
    "what's the weather like? ☀️🌧️",
    "Ça va ? Très bien, merci.",
    "l'été dernier, c'était génial",
    "cœur, œuvre, Straße, ﬁnal, ½ cup, ²³",
    "👨‍👩‍👧 family emoji with ZWJ",
    "tab\tnew\nline\r\nand\u00a0nbsp",
    "ΣΟΦΙΑ σοφία, Привет мир, 日本語のテキスト",
    "ＦＵＬＬＷＩＤＴＨ ＴＥＸＴ １２３",
    "e\u0301te\u0301 (combining accents)",
    "x" * 300,
    " ".join(["mot"] * 100),
]

WORDS = (
    "allume éteins lumière salon chambre cuisine garage porte volet chauffage température degrés minuteur "
    "minutes liste courses lait pain œufs rappelle souviens code portail bonjour merci quelle heure "
    "turn on off the lights living room kitchen bedroom garage door blinds heating temperature degrees "
    "timer minutes shopping list milk bread eggs remember recall gate code hello thanks what time is it "
    "Noël Zoë naïve façade crème brûlée São Paulo Ångström"
).split()
PUNCT = list(".,;:!?'\"()[]{}-–—…«»“”’/\\@#%&*+=<>|~^_$€£")
EMOJI = ["🙂", "👍", "🏠", "💡", "🔥", "❄️", "⏰", "🛒", "🇫🇷", "👋🏽"]


def sentences(n: int, seed: int = 1234) -> list[str]:
    rng = random.Random(seed)
    out = list(FIXED)
    while len(out) < n:
        parts = []
        for _ in range(rng.randint(1, 14)):
            r = rng.random()
            if r < 0.65:
                w = rng.choice(WORDS)
                if rng.random() < 0.2:
                    w = w.upper()
                if rng.random() < 0.1:
                    w = w.capitalize()
                parts.append(w)
            elif r < 0.8:
                parts.append(str(rng.randint(0, 10_000)) if rng.random() < 0.7 else f"{rng.randint(0, 40)}.{rng.randint(0, 9)}")
            elif r < 0.92:
                parts.append(rng.choice(PUNCT))
            else:
                parts.append(rng.choice(EMOJI))
        sep = rng.choice([" ", " ", " ", "", "  "])
        out.append(sep.join(parts))
    return out[:n]


def main() -> None:
    cfg = ProjectionConfig()
    for text in sentences(1000):
        tokens = tokenize(text, cfg.max_tokens)
        h = hashlib.sha256()
        for tok in tokens:
            h.update(np.asarray(token_buckets(tok, cfg), dtype="<u4").tobytes())
        print(json.dumps({"text": text, "tokens": [[t.text, t.start, t.end] for t in tokens], "sha256": h.hexdigest()}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
