"""Copies a train.py run into firmware-models/dist/<name>/ with a manifest.json (#5).

The manifest names the recipe and the exact commands, the data hash and generator settings, the
headline metrics per language, and the sha256 of every file, so the committed model explains itself.
usage: package.py --run DIR --data DIR --out DIR --make-data-args "..." --train-args "..."
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

FILES = ("model.safetensors", "config.json", "labels.json", "report.json", "reference.json")

ap = argparse.ArgumentParser()
ap.add_argument("--run", required=True)
ap.add_argument("--data", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--make-data-args", default="")
ap.add_argument("--train-args", default="")
args = ap.parse_args()
run, out = Path(args.run), Path(args.out)
out.mkdir(parents=True, exist_ok=True)
for f in FILES:
    if (run / f).resolve() != (out / f).resolve():
        shutil.copyfile(run / f, out / f)
config = json.loads((run / "config.json").read_text())
report = json.loads((run / "report.json").read_text())
# make_data.py writes data.json (generator settings); another dataset (JointBERT, JSONL) has none.
meta_file = Path(args.data) / "data.json"
data_meta = json.loads(meta_file.read_text()) if meta_file.is_file() else None
metrics = {split: {g: {k: round(v, 4) for k, v in m.items() if k != "n"} | {"n": m["n"]}
                   for g, m in r.items() if g != "confusion"} for split, r in report["splits"].items()}
manifest = {
    "format": "neurolite-manifest", "version": 1, "name": out.name, "issue": "#5",
    "recipe": config["recipe"], "git_commit": config["git_commit"],
    "commands": [f"make_data.py --out DATA {args.make_data_args}".strip(),
                 f"train.py --data DATA --out RUN {args.train_args}".strip()],
    "data": {"sha256": config["data"]["sha256"], "sizes": config["data"]["sizes"], "generator": data_meta},
    "projection": config["projection"], "params": config["architecture"]["params"],
    "macs_per_sentence": config["architecture"]["macs_per_sentence"], "weights_sha256": config["weights_sha256"],
    "train_seconds": report["train_seconds"], "metrics": metrics,
    "files": {f: {"bytes": (out / f).stat().st_size, "sha256": hashlib.sha256((out / f).read_bytes()).hexdigest()} for f in FILES},
}
(out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
print(json.dumps(metrics, indent=1))
