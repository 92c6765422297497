#!/usr/bin/env python3
"""Writes a llama2.c checkpoint (legacy v0 .bin, fp32) and its tokenizer.bin as an F32 GGUF that llama.cpp loads.

    python3 benchmarks/llama2c_to_gguf.py MODEL.bin TOKENIZER.bin OUT.gguf

For benchmarks/cpu-compare.sh when the llama.cpp build has no llama-convert-llama2c-to-ggml; needs numpy and the
`gguf` package (pip install gguf, or a llama.cpp checkout's gguf-py on PYTHONPATH). The tensors are copied
unchanged (run.c and GGML's LLAMA rope both rotate adjacent pairs, so q/k need no permutation); names and metadata
keys follow the GGUF spec's llama architecture (docs/gguf.md in the ggml repository). The output must not exist.
"""
import struct
import sys

import numpy as np
import gguf


def main(model, tok, out):
    import os
    if os.path.exists(out):
        sys.exit(f"llama2c_to_gguf: {out} exists")
    raw = open(model, "rb").read()
    dim, hidden, n_layers, n_heads, n_kv, vocab, seq_len = struct.unpack("<7i", raw[:28])
    shared = vocab > 0
    vocab = abs(vocab)
    head = dim // n_heads
    kv_dim = n_kv * head
    f = np.frombuffer(raw, dtype="<f4", offset=28)
    pos = 0

    def take(*shape):
        nonlocal pos
        n = int(np.prod(shape))
        if pos + n > f.size:
            sys.exit(f"llama2c_to_gguf: {model} is truncated (needs {pos + n} floats after the header, has {f.size})")
        a = f[pos:pos + n].reshape(shape)
        pos += n
        return a

    emb = take(vocab, dim)
    rms_att = take(n_layers, dim)
    wq = take(n_layers, dim, dim)
    wk = take(n_layers, kv_dim, dim)
    wv = take(n_layers, kv_dim, dim)
    wo = take(n_layers, dim, dim)
    rms_ffn = take(n_layers, dim)
    w1 = take(n_layers, hidden, dim)
    w2 = take(n_layers, dim, hidden)
    w3 = take(n_layers, hidden, dim)
    rms_final = take(dim)
    take(seq_len * head // 2)  # freq_cis_real (unused: GGUF stores rope_theta)
    take(seq_len * head // 2)  # freq_cis_imag
    cls = emb if shared else take(vocab, dim)

    t = open(tok, "rb").read()
    (max_len,) = struct.unpack_from("<i", t, 0)
    o = 4
    tokens, scores, types = [], [], []
    for i in range(vocab):
        score, n = struct.unpack_from("<fi", t, o)
        o += 8
        b = t[o:o + n]
        o += n
        tokens.append(b)
        scores.append(score)
        s = b.decode("utf-8", "replace")
        if i == 0:
            types.append(gguf.TokenType.UNKNOWN)
        elif i in (1, 2):
            types.append(gguf.TokenType.CONTROL)
        elif len(s) == 6 and s.startswith("<0x") and s.endswith(">"):
            types.append(gguf.TokenType.BYTE)
        else:
            types.append(gguf.TokenType.NORMAL)

    w = gguf.GGUFWriter(out, "llama")
    w.add_name("llama2c")
    w.add_context_length(seq_len)
    w.add_embedding_length(dim)
    w.add_block_count(n_layers)
    w.add_feed_forward_length(hidden)
    w.add_rope_dimension_count(head)
    w.add_head_count(n_heads)
    w.add_head_count_kv(n_kv)
    w.add_layer_norm_rms_eps(1e-5)  # run.c's rmsnorm epsilon
    w.add_rope_freq_base(10000.0)   # run.c's theta
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_tensor("token_embd.weight", np.ascontiguousarray(emb))
    for l in range(n_layers):
        p = f"blk.{l}."
        w.add_tensor(p + "attn_norm.weight", np.ascontiguousarray(rms_att[l]))
        w.add_tensor(p + "attn_q.weight", np.ascontiguousarray(wq[l]))
        w.add_tensor(p + "attn_k.weight", np.ascontiguousarray(wk[l]))
        w.add_tensor(p + "attn_v.weight", np.ascontiguousarray(wv[l]))
        w.add_tensor(p + "attn_output.weight", np.ascontiguousarray(wo[l]))
        w.add_tensor(p + "ffn_norm.weight", np.ascontiguousarray(rms_ffn[l]))
        w.add_tensor(p + "ffn_gate.weight", np.ascontiguousarray(w1[l]))
        w.add_tensor(p + "ffn_down.weight", np.ascontiguousarray(w2[l]))
        w.add_tensor(p + "ffn_up.weight", np.ascontiguousarray(w3[l]))
    w.add_tensor("output_norm.weight", np.ascontiguousarray(rms_final))
    w.add_tensor("output.weight", np.ascontiguousarray(cls))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
