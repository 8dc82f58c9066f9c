"""Default NeuroLite training data (#5): French and English command sentences as JSONL.

Sources, all offline: Home Assistant's intent sentences (PyPI home-assistant-intents, CC-BY-4.0),
sampled with hassil's template parser, and Wulf's own templates (wulf_templates.py). Slot values for
area/name/item/... come from large generated lists (value_lists.py) so the model learns spans, not
names. Splits are held out by template: a template's sentences all land in one of train/dev/test.
Must not download anything at run time.

usage: make_data.py --out DIR [--per-template N] [--seed S]

Training sentences also get sibling verbs swapped in (SYNONYMS), scoped per intent.
writes DIR/{train,dev,test}.jsonl, one {text, intent, slots:[{name,value,start,end}], lang,
template_id} per line (start/end: code-point offsets in text), and DIR/data.json (counts, hash).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from pathlib import Path

import home_assistant_intents
from hassil import Intents
from hassil.expression import Alternative, Group, ListReference, Permutation, RuleReference, Sequence, TextChunk
from hassil.intents import RangeSlotList, TextSlotList, WildcardSlotList
from hassil.parse_expression import parse_sentence

sys.path.insert(0, str(Path(__file__).resolve().parent))
import value_lists  # noqa: E402
import wulf_templates  # noqa: E402

DATA_FORMAT_VERSION = 1
LANGS = ("fr", "en")
HA_INTENTS = (
    "HassTurnOn", "HassTurnOff", "HassLightSet", "HassClimateSetTemperature", "HassClimateGetTemperature",
    "HassGetState", "HassStartTimer", "HassCancelTimer", "HassTimerStatus", "HassShoppingListAddItem",
    "HassListAddItem", "HassGetCurrentTime", "HassGetCurrentDate", "HassGetWeather", "HassMediaPause",
    "HassMediaUnpause", "HassMediaNext", "HassSetVolume", "HassNevermind",
)
# HA list references whose values we supply (HA fills these from the user's entities at run time).
# Slots not in KEEP_SLOTS are still sampled as text but not labelled (they carry no span we use).
KEEP_SLOTS = {
    "name", "area", "floor", "brightness", "color", "temperature", "item", "volume_level", "hours",
    "minutes", "seconds", "start_hours", "start_minutes", "start_seconds", "state", "device_class", "fact", "topic",
}
SPLIT_FRACTIONS = (0.7, 0.15, 0.15)  # train, dev, test share of templates per (lang, intent)
# An intent keeps at least this many templates in train; one with fewer than MIN_TRAIN_TEMPLATES + 1
# templates has none held out (listed as `not_held_out` in data.json), since a single template cannot
# teach an intent's phrasing and still leave one to test it.
MIN_TRAIN_TEMPLATES = 3
MIN_SENTENCES_PER_INTENT = 800  # per language; intents with few templates get more samples each


# --- sampling one sentence from a hassil expression, keeping slot spans --------------------------
# A sentence is built as a list of (char, slot_id); slot_id indexes `slots` (name, value_out) or -1.

class Sampler:
    def __init__(self, lang: str, slot_lists: dict, rules: dict, rng: random.Random):
        self.lang, self.slot_lists, self.rules, self.rng = lang, slot_lists, rules, rng

    def sentence(self, expression, intent_data=None) -> tuple[str, list[dict]]:
        self.slots: list[str] = []
        self.domain_hint = _domain_hint(intent_data)
        chars: list[tuple[str, int]] = []
        self._walk(expression, chars, -1, self.rules if intent_data is None else {**self.rules, **intent_data.expansion_rules})
        if self.lang == "fr" and intent_data is None:  # our templates write "de {topic}"; HA's rules elide themselves
            chars = _contract_fr(chars)
        return _finish(chars, self.slots)

    def _walk(self, e, out: list, slot_id: int, rules: dict) -> None:
        rng = self.rng
        if isinstance(e, TextChunk):
            out.extend((c, slot_id) for c in (e.original_text if e.original_text is not None else e.text))
        elif isinstance(e, Alternative):
            if e.is_optional and rng.random() < 0.5:
                return
            items = [i for i in e.items if not (isinstance(i, TextChunk) and i.is_empty)] if e.is_optional else e.items
            self._walk(rng.choice(items or e.items), out, slot_id, rules)
        elif isinstance(e, Permutation):
            items = list(e.items)
            rng.shuffle(items)
            for i, item in enumerate(items):
                if i:
                    out.append((" ", slot_id))
                self._walk(item, out, slot_id, rules)
        elif isinstance(e, Group):  # Sequence
            for item in e.items:
                self._walk(item, out, slot_id, rules)
        elif isinstance(e, RuleReference):
            self._walk(rules[e.rule_name].expression, out, slot_id, rules)
        elif isinstance(e, ListReference):
            self._list(e, out, slot_id, rules)
        else:
            raise ValueError(f"unexpected expression {e!r}")

    def _list(self, ref: ListReference, out: list, slot_id: int, rules: dict) -> None:
        slot = ref.slot_name
        if slot_id < 0 and slot in KEEP_SLOTS:
            self.slots.append(slot)
            slot_id = len(self.slots) - 1
        own = value_lists.values_for(self.lang, ref.list_name, slot, self.domain_hint)
        if own is None:
            own = wulf_templates.values(self.lang, ref.list_name)
        if ref.is_inline_range:
            start, stop, step = ref.get_inline_range()
            text = str(self.rng.randrange(start, stop + 1, step))
        elif own is not None:
            text = self.rng.choice(own)
        else:
            lst = self.slot_lists.get(ref.list_name)
            if isinstance(lst, TextSlotList):
                self._walk(self.rng.choice(lst.values).text_in, out, slot_id, rules)
                return
            if isinstance(lst, RangeSlotList):
                text = value_lists.number_text(self.lang, lst, self.rng)
            else:
                raise ValueError(f"no values for list {{{ref.list_name}}} ({type(lst).__name__})")
        out.extend((c, slot_id) for c in text)


def _domain_hint(intent_data) -> str | None:
    if intent_data is None:
        return None
    ctx = intent_data.requires_context.get("domain") if intent_data.requires_context else None
    if isinstance(ctx, list) and ctx:
        return ctx[0]
    if isinstance(ctx, str):
        return ctx
    return (intent_data.slots or {}).get("domain")


_FR_CONTRACTIONS = {"de le": "du", "de les": "des", "à le": "au", "à les": "aux", "de un": "d'un", "de une": "d'une",
                    **{f"que {w}": f"qu'{w}" for w in ("il", "ils", "elle", "elles", "on", "un", "une")}}
_FR_CONTRACTION_RE = re.compile(r"(?<![\w'-])(de|à|que) (le|les|un|une|il|ils|elle|elles|on)(?= )", re.IGNORECASE)


def _contract_fr(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """French contractions across a template/list boundary: "de le colis" -> "du colis", "de un volcan" ->
    "d'un volcan". The contracted word keeps the owner of the preposition (so a slot that began with
    the article now begins at the next word); "d'" keeps the article as written."""
    text = "".join(c for c, _ in chars)
    for m in reversed(list(_FR_CONTRACTION_RE.finditer(text))):
        a, b = m.span()
        prep, art = m.group(1), m.group(2)
        owner = chars[a][1]
        repl = _FR_CONTRACTIONS.get(f"{prep.lower()} {art.lower()}")
        if repl is None:  # "de il", "à on", ...: not a contraction
            continue
        if "'" in repl:
            chars = chars[:a] + [(c, owner) for c in prep[:-1] + "'"] + chars[m.start(2):]
        else:
            if prep[:1].isupper():
                repl = repl[:1].upper() + repl[1:]
            chars = chars[:a] + [(c, owner) for c in repl] + chars[b:]
    return chars


def _finish(chars: list[tuple[str, int]], slot_names: list[str]) -> tuple[str, list[dict]]:
    """Collapse whitespace, strip, and read each slot's span off the surviving chars."""
    kept: list[tuple[str, int]] = []
    for c, s in chars:
        if c.isspace():
            if not kept or kept[-1][0] == " ":
                continue
            c = " "
        kept.append((c, s))
    while kept and kept[-1][0] == " ":
        kept.pop()
    text = "".join(c for c, _ in kept)
    slots = []
    for sid, name in enumerate(slot_names):
        idx = [i for i, (c, s) in enumerate(kept) if s == sid and c != " "]
        if not idx:
            continue
        start, end = idx[0], idx[-1] + 1
        slots.append({"name": name, "value": text[start:end], "start": start, "end": end})
    return text, slots


# --- augmentation: casing, missing accents, typos, colloquial wrappers -------------------------

def augment(text: str, slots: list[dict], lang: str, rng: random.Random) -> tuple[str, list[dict]]:
    owner = [-1] * len(text)
    for k, s in enumerate(slots):
        for i in range(s["start"], s["end"]):
            owner[i] = k
    chars = list(zip(text, owner))
    r = rng.random()
    if r < 0.25:  # no accents (phone keyboards, lazy typing)
        chars = [(_strip_accent(c), s) for c, s in chars]
    if rng.random() < 0.15:  # typo: drop, double or swap one letter of a longer word
        chars = _typo(chars, rng)
    r = rng.random()
    if r < 0.5:
        chars = [(c.lower(), s) for c, s in chars]
    elif r < 0.6:
        chars = [(c.upper(), s) for c, s in chars]
    elif r < 0.9 and chars:
        chars[0] = (chars[0][0].upper(), chars[0][1])
    if rng.random() < 0.2:
        pre, post = value_lists.wrapper(lang, rng)
        chars = [(c, -1) for c in pre] + chars + [(c, -1) for c in post]
    if rng.random() < 0.2:
        chars.append((rng.choice(["?", "!", ".", " ?", " !"]) if lang == "fr" else rng.choice(["?", "!", "."]), -1))
    names = [s["name"] for s in slots]
    new_text, new_slots = _finish(chars, names)
    return new_text, new_slots


def _strip_accent(c: str) -> str:
    d = unicodedata.normalize("NFD", c)
    out = "".join(x for x in d if unicodedata.category(x) != "Mn")
    return out if len(out) == 1 else c


def _typo(chars: list, rng: random.Random) -> list:
    words, i = [], 0
    while i < len(chars):
        if chars[i][0].isalpha():
            j = i
            while j < len(chars) and chars[j][0].isalpha():
                j += 1
            if j - i >= 4:
                words.append((i, j))
            i = j
        else:
            i += 1
    if not words:
        return chars
    a, b = rng.choice(words)
    k = rng.randrange(a + 1, b - 1)
    op = rng.randrange(3)
    if op == 0:
        return chars[:k] + chars[k + 1 :]
    if op == 1:
        return chars[: k + 1] + [chars[k]] + chars[k + 1 :]
    return chars[:k] + [chars[k + 1], chars[k]] + chars[k + 2 :]


# --- templates ------------------------------------------------------------------------------------

def ha_templates(lang: str) -> list[dict]:
    """[{id, intent, lang, expression, data, sampler}] for the HA intents we use."""
    raw = home_assistant_intents.get_intents(lang)
    intents = Intents.from_dict(raw)
    out = []
    for name in HA_INTENTS:
        for d_i, data in enumerate(intents.intents[name].data):
            for s_i, sentence in enumerate(data.sentences):
                out.append({"id": f"ha:{lang}:{name}:{d_i}:{s_i}", "intent": name, "lang": lang,
                            "expression": sentence.expression, "data": data,
                            "slot_lists": {**intents.slot_lists, **data.slot_lists},
                            "rules": intents.expansion_rules})
    return out


def wulf_template_list(lang: str) -> list[dict]:
    out = []
    for intent, texts in wulf_templates.TEMPLATES[lang].items():
        for t_i, text in enumerate(texts):
            out.append({"id": f"wulf:{lang}:{intent}:{t_i}", "intent": intent, "lang": lang,
                        "expression": parse_sentence(text).expression, "data": None,
                        "slot_lists": {}, "rules": wulf_templates.RULES[lang]})
    return out


def split_templates(templates: list[dict], rng: random.Random) -> tuple[dict[str, str], list[str]]:
    """(template id -> split, ["lang:intent" with no held-out template]); per (lang, intent), at
    least MIN_TRAIN_TEMPLATES templates stay in train, then test and dev get one each, then ~15% each."""
    groups: dict[tuple, list[str]] = {}
    for t in templates:
        groups.setdefault((t["lang"], t["intent"]), []).append(t["id"])
    where, not_held_out = {}, []
    for key in sorted(groups):
        ids = sorted(groups[key])
        rng.shuffle(ids)
        n = len(ids)
        spare = max(0, n - MIN_TRAIN_TEMPLATES)
        n_test = min(spare, max(1, round(n * SPLIT_FRACTIONS[2])))
        n_dev = min(spare - n_test, max(1, round(n * SPLIT_FRACTIONS[1])))
        if n_test == 0:
            not_held_out.append(f"{key[0]}:{key[1]}")
        for i, tid in enumerate(ids):
            where[tid] = "test" if i < n_test else "dev" if i < n_test + n_dev else "train"
    return where, not_held_out


# --- synonyms: sibling words for an intent's verbs, so a held-out phrasing is not out of vocabulary --
# Each group lists interchangeable words or phrases, scoped to the intents where they mean the same
# (None: any intent). Applied to training sentences only, at SYNONYM_RATE, outside slot spans, before
# casing/accent/typo augmentation. Dev and test sentences stay as their templates wrote them.
SYNONYM_RATE = 0.3
_LIST = frozenset({"HassShoppingListAddItem", "HassListAddItem"})
SYNONYMS: dict[str, list[tuple[tuple[str, ...], frozenset | None]]] = {
    "en": [
        (("pause", "stop"), frozenset({"HassMediaPause"})),
        (("unpause", "resume", "continue"), frozenset({"HassMediaUnpause"})),
        (("nevermind", "never mind", "forget it", "no matter"), frozenset({"HassNevermind"})),
        (("what time is it", "what's the time", "what is the time", "tell me the time"),
         frozenset({"HassGetCurrentTime"})),
        (("what's the date", "what is the date", "what day is it", "what's today's date", "what is today's date"),
         frozenset({"HassGetCurrentDate"})),
        (("to", "on", "in", "onto"), _LIST),
        (("press", "push", "hit"), frozenset({"HassTurnOn"})),
        (("stop", "quit"), frozenset({"WulfVoiceOff"})),
        (("turn off", "disable", "mute", "switch off"), frozenset({"WulfVoiceOff"})),
        (("turn on", "enable", "activate", "switch on", "unmute", "re-enable"), frozenset({"WulfVoiceOn"})),
        (("clear", "wipe", "erase", "delete", "reset"), frozenset({"WulfClearMemory"})),
        (("status", "state", "health", "diagnostics"), frozenset({"WulfStatus"})),
        (("explain", "describe"), frozenset({"WulfAsk"})),
        (("sorry", "my bad", "oops"), frozenset({"WulfChat"})),
    ],
    "fr": [
        (("allume", "active", "démarre"), frozenset({"HassTurnOn"})),
        (("éteins", "coupe", "désactive"), frozenset({"HassTurnOff"})),
        (("laisse tomber", "oublie", "peu importe", "tant pis", "rien"), frozenset({"HassNevermind"})),
        (("quelle heure est-il", "il est quelle heure", "tu as l'heure", "donne-moi l'heure"),
         frozenset({"HassGetCurrentTime"})),
        (("quelle est la date", "on est le combien", "quel jour sommes-nous", "quel jour on est"),
         frozenset({"HassGetCurrentDate"})),
        (("dans", "à", "sur"), _LIST),
        (("pause", "stop"), frozenset({"HassMediaPause"})),
        (("reprends", "relance", "continue"), frozenset({"HassMediaUnpause"})),
        (("arrête", "cesse", "stoppe"), frozenset({"WulfVoiceOff"})),
        (("coupe", "désactive", "éteins"), frozenset({"WulfVoiceOff"})),
        (("réactive", "rallume", "remets", "active", "allume"), frozenset({"WulfVoiceOn"})),
        (("efface", "supprime", "vide", "réinitialise"), frozenset({"WulfClearMemory"})),
        (("état", "statut", "diagnostic"), frozenset({"WulfStatus"})),
        (("désolé", "pardon", "oups"), frozenset({"WulfChat"})),
    ],
}


def swap_synonym(text: str, slots: list[dict], lang: str, intent: str, rng: random.Random,
                 rate: float = SYNONYM_RATE) -> tuple[str, list[dict]]:
    """Replace one synonym occurrence (whole words, outside slots) by a sibling; slot offsets follow."""
    if rng.random() >= rate:
        return text, slots
    lower = text.lower()
    found = []  # (start, end, group)
    for group, intents in SYNONYMS.get(lang, []):
        if intents is not None and intent not in intents:
            continue
        for word in group:
            for m in re.finditer(r"(?<![\w'])" + re.escape(word) + r"(?![\w'-])", lower):
                a, b = m.span()
                if all(b <= s["start"] or a >= s["end"] for s in slots):
                    found.append((a, b, group))
    if not found:
        return text, slots
    a, b, group = rng.choice(sorted(found, key=lambda f: (f[0], f[1])))
    current = lower[a:b]
    repl = rng.choice([w for w in group if w != current])
    if text[a:a + 1].isupper():
        repl = repl[:1].upper() + repl[1:]
    delta = len(repl) - (b - a)
    new_slots = [dict(s, start=s["start"] + delta, end=s["end"] + delta) if s["start"] >= b else s for s in slots]
    return text[:a] + repl + text[b:], new_slots


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-template", type=int, default=40, help="samples drawn per template (before dedup)")
    ap.add_argument("--seed", type=int, default=2611)
    ap.add_argument("--langs", default="fr,en")
    ap.add_argument("--round4", action="store_true",
                    help="add the fourth round of Wulf phrase families (measured, not in the shipped corpus)")
    args = ap.parse_args()
    if args.round4:
        wulf_templates.enable_round4()
    rng = random.Random(args.seed)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)

    rows: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    not_held_out: list[str] = []
    for lang in args.langs.split(","):
        templates = ha_templates(lang) + wulf_template_list(lang)
        where, skipped = split_templates(templates, rng)
        not_held_out += skipped
        per_intent: dict[str, int] = {}
        for t in templates:
            per_intent[t["intent"]] = per_intent.get(t["intent"], 0) + 1
        seen: dict[str, set] = {"train": set(), "dev": set(), "test": set()}
        for t in templates:
            sampler = Sampler(lang, t["slot_lists"], t["rules"], rng)
            n = max(args.per_template, -(-MIN_SENTENCES_PER_INTENT * args.per_template // 40 // per_intent[t["intent"]]))
            split = where[t["id"]]
            for _ in range(n):
                text, slots = sampler.sentence(t["expression"], t["data"])
                if split == "train":
                    text, slots = swap_synonym(text, slots, lang, t["intent"], rng)
                text, slots = augment(text, slots, lang, rng)
                if not text or text in seen[split]:
                    continue
                seen[split].add(text)
                rows[split].append({"text": text, "intent": t["intent"], "slots": slots, "lang": lang,
                                    "template_id": t["id"]})

    digest = hashlib.sha256()
    counts = {}
    for split, items in rows.items():
        rng.shuffle(items)
        path = out_dir / f"{split}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for r in items:
                line = json.dumps(r, ensure_ascii=False) + "\n"
                f.write(line)
                digest.update(line.encode("utf-8"))
        counts[split] = len(items)
        print(f"{split}: {len(items)} sentences -> {path}")
    meta = {"format": "neurolite-jsonl", "version": DATA_FORMAT_VERSION, "seed": args.seed,
            "per_template": args.per_template, "langs": args.langs.split(","), "counts": counts,
            "sha256": digest.hexdigest(), "min_train_templates": MIN_TRAIN_TEMPLATES,
            "synonym_rate": SYNONYM_RATE, "not_held_out": not_held_out,
            "sources": {"home-assistant-intents": home_assistant_intents_version(), "license": "CC-BY-4.0"}}
    if args.round4:
        meta["round4"] = True
    (out_dir / "data.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"data sha256 {meta['sha256']}")


def home_assistant_intents_version() -> str:
    from importlib.metadata import version
    return version("home-assistant-intents")


if __name__ == "__main__":
    main()
