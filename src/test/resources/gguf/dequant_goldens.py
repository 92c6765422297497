#!/usr/bin/env python3
"""Per-tensor dequantisation goldens from gguf-py's numpy reference (gguf.quants.dequantize), for the fixtures given:
for every tensor, the sum and the sum of squares of all dequantised values and 16 values at fixed flat indices.
Usage: dequant_goldens.py out.json file.gguf..."""
import json, os, sys
import numpy as np
import gguf
from gguf import quants

out = {}
for f in sys.argv[2:]:
    r = gguf.GGUFReader(f)
    ts = {}
    for t in r.tensors:
        v = quants.dequantize(t.data, t.tensor_type).astype(np.float64).reshape(-1)
        idx = [int(i) for i in np.linspace(0, v.size - 1, 16).astype(np.int64)]
        ts[t.name] = {"type": t.tensor_type.name, "n": int(v.size), "sum": float(v.sum()), "sumsq": float((v * v).sum()),
                      "idx": idx, "val": [float(v[i]) for i in idx]}
    out[os.path.basename(f)] = ts
json.dump(out, open(sys.argv[1], "w"), indent=0)
