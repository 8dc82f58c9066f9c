#!/usr/bin/env python3
"""Runs .tflite files in native LiteRT (ai-edge-litert, XNNPACK) for Wulf's tests and benchmarks.

Reads one JSON request on stdin and writes one JSON reply on stdout; tensors travel as base64 of
their little-endian bytes. Jobs on the same file share one interpreter, in order. It only executes
models: it never writes or changes a .tflite file.

  {"jobs": [{"model": PATH, "signature": KEY, "threads": 1, "inputs": {NAME: TENSOR}}]}
      -> {"results": [{"outputs": {NAME: TENSOR}} | {"error": TEXT}]}
  {"bench": {"model": PATH, "signature": KEY, "threads": 1, "inputs": {...}, "warmup": N, "iters": N}}
      -> {"times_ms": [..]}
  TENSOR = {"dtype": "float32" | "int32" | "uint8" | "int8", "shape": [..], "data": BASE64}
"""
import base64
import json
import sys
import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def decode(t):
    raw = base64.b64decode(t["data"])
    return np.frombuffer(raw, dtype=np.dtype(t["dtype"])).reshape(t["shape"]).copy()


def encode(a):
    a = np.ascontiguousarray(a)
    return {"dtype": str(a.dtype), "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}


# One interpreter per (file, threads) for the whole request, so state kept in resource variables
# (e.g. a KV cache) carries from one job to the next, across signatures, as in LiteRT.js.
_interpreters = {}
_runners = {}


def runner(model, signature, threads):
    key = (model, threads)
    if key not in _interpreters:
        _interpreters[key] = Interpreter(model_path=model, num_threads=threads)
    if (key, signature) not in _runners:
        _runners[(key, signature)] = _interpreters[key].get_signature_runner(signature)
    return _runners[(key, signature)]


def run_job(job):
    try:
        r = runner(job["model"], job.get("signature"), job.get("threads", 1))
        inputs = {k: decode(v) for k, v in job["inputs"].items()}
        outputs = r(**inputs)
        return {"outputs": {k: encode(v) for k, v in outputs.items()}}
    except Exception as e:  # reported to the caller, which fails its test with the text
        return {"error": f"{type(e).__name__}: {e}"}


def bench(spec):
    r = runner(spec["model"], spec.get("signature"), spec.get("threads", 1))
    inputs = {k: decode(v) for k, v in spec["inputs"].items()}
    for _ in range(spec.get("warmup", 5)):
        r(**inputs)
    times = []
    for _ in range(spec.get("iters", 50)):
        t0 = time.perf_counter()
        r(**inputs)
        times.append((time.perf_counter() - t0) * 1000.0)
    return {"times_ms": times}


def main():
    request = json.load(sys.stdin)
    if "bench" in request:
        reply = bench(request["bench"])
    else:
        reply = {"results": [run_job(j) for j in request["jobs"]]}
    json.dump(reply, sys.stdout)


if __name__ == "__main__":
    main()
