#!/usr/bin/env python3
"""Greedy 64-step goldens from llama-server (127.0.0.1) for each GGUF given: token ids and the top-8 log-probabilities
(pre-sampling, i.e. log-softmax of the raw logits) at each step. Usage: golden.py out_dir file.gguf..."""
import json, os, subprocess, sys, time, urllib.request
SERVER = os.environ.get("LLAMA_SERVER", "llama-server")  # path of llama.cpp's llama-server
PROMPT = [1, 403, 407, 261, 378]  # "Once upon a time" with BOS in the stories260K vocabulary
out = sys.argv[1]
for i, f in enumerate(sys.argv[2:]):
    port = 18431 + i
    p = subprocess.Popen([SERVER, "-m", f, "--host", "127.0.0.1", "--port", str(port), "-t", "2", "-np", "1", "-c", "256",
                          "-fa", "off", "--cache-type-k", "f32", "--cache-type-v", "f32", "--no-warmup"],
                         stdout=subprocess.DEVNULL, stderr=open(out + "/" + os.path.basename(f) + ".server.log", "w"))
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=1).read(); break
            except Exception:
                time.sleep(0.5)
        req = {"prompt": PROMPT, "n_predict": 64, "temperature": 0.0, "top_k": 1, "n_probs": 8, "cache_prompt": False,
               "return_tokens": True, "ignore_eos": True, "samplers": ["top_k"], "seed": 0}
        r = urllib.request.Request("http://127.0.0.1:%d/completion" % port, data=json.dumps(req).encode(),
                                   headers={"Content-Type": "application/json"})
        res = json.loads(urllib.request.urlopen(r, timeout=120).read())
        steps = res["completion_probabilities"]
        # the server folds a token that ends inside a UTF-8 sequence (byte-fallback pieces) into the next entry,
        # so entries are matched to tokens by id; tokens without an entry get null
        top, j = [], 0
        for t in res["tokens"]:
            if j < len(steps) and steps[j]["id"] == t:  # (ignore_eos: the id is the best non-EOS token)
                top.append([[x["id"], x["logprob"]] for x in steps[j]["top_logprobs"]]); j += 1
            else:
                top.append(None)
        g = {"file": os.path.basename(f), "prompt": PROMPT, "tokens": res["tokens"], "top": top}
        with open(out + "/" + os.path.basename(f).replace(".gguf", ".golden.json"), "w") as o:
            json.dump(g, o)
        print(f, len(g["tokens"]), g["tokens"][:12])
    finally:
        p.terminate(); p.wait()
