#!/usr/bin/env python3
"""Writes a small Llama-family GGUF (F32) with seeded random weights and the 512-token SentencePiece
vocabulary of stories260K.gguf, for the loader/kernel fixtures beside this file (see README.md).
--arch llama (default) | qwen2 (Q/K/V biases) | qwen3 (per-head Q/K RMSNorm, --head-dim) | phi3 (fused attn_qkv,
fused gate+up ffn_up); tensor names and shapes as llama.cpp's src/llama-arch.cpp and src/models/<arch>.cpp.
Needs numpy and llama.cpp's gguf-py on PYTHONPATH. Not used at test time."""
import argparse
import numpy as np
import gguf

ap = argparse.ArgumentParser()
ap.add_argument("vocab_from")  # stories260K.gguf (its tokenizer.ggml.* arrays are copied)
ap.add_argument("out")
ap.add_argument("--dim", type=int, default=256)
ap.add_argument("--hidden", type=int, default=512)
ap.add_argument("--layers", type=int, default=2)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--kv-heads", type=int, default=2)
ap.add_argument("--ctx", type=int, default=256)
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--rope-freqs", action="store_true", help="add a Llama-3.1-style rope_freqs.weight")
ap.add_argument("--rope-scaling", default=None, help="linear|yarn: write llama.rope.scaling.type")
ap.add_argument("--rope-factor", type=float, default=4.0)
ap.add_argument("--arch", default="llama", choices=["llama", "qwen2", "qwen3", "phi3"])
ap.add_argument("--head-dim", type=int, default=0, help="per-head width (key_length); default dim/heads")
ap.add_argument("--tied", action="store_true", help="no output.weight (classifier = token_embd)")
ap.add_argument("--rope-theta", type=float, default=10000.0)
ap.add_argument("--sliding-window", type=int, default=0, help="write <arch>.attention.sliding_window (Mistral 7B's key)")
a = ap.parse_args()

r = gguf.GGUFReader(a.vocab_from)
def field(name):
    f = r.fields[name]
    return [f.contents(i) for i in range(len(f.data))] if f.types[0] == gguf.GGUFValueType.ARRAY else f.contents()
tokens = field("tokenizer.ggml.tokens")
scores = field("tokenizer.ggml.scores")
types = field("tokenizer.ggml.token_type")
vocab = len(tokens)

rng = np.random.default_rng(a.seed)
def mat(rows, cols, std):
    # numpy shape (rows, cols) = ggml ne = [cols, rows]
    return (rng.standard_normal((rows, cols)) * std).astype(np.float32)

d, h = a.dim, a.hidden
hs = a.head_dim or a.dim // a.heads
qd = a.heads * hs
kv = a.kv_heads * hs
w = gguf.GGUFWriter(a.out, a.arch)
# (llama.cpp's vocabulary loader gives a general.name containing "phi3" Phi-3's special-token attributes, which
# this vocabulary lacks, so the name does not carry the architecture)
w.add_name(("random-llama-%dd-%dl" if a.arch == "llama" else "random-weights-%dd-%dl") % (d, a.layers))
w.add_context_length(a.ctx)
w.add_embedding_length(d)
w.add_block_count(a.layers)
w.add_feed_forward_length(h)
w.add_head_count(a.heads)
w.add_head_count_kv(a.kv_heads)
w.add_rope_dimension_count(hs)
if a.head_dim:
    w.add_key_length(hs)
    w.add_value_length(hs)
w.add_layer_norm_rms_eps(1e-5)
w.add_rope_freq_base(a.rope_theta)
if a.sliding_window:
    w.add_sliding_window(a.sliding_window)
w.add_file_type(gguf.LlamaFileType.ALL_F32)
if a.rope_scaling:
    w.add_rope_scaling_type(gguf.RopeScalingType(a.rope_scaling))
    w.add_rope_scaling_factor(a.rope_factor)
    if a.rope_scaling == "yarn":
        w.add_rope_scaling_orig_ctx_len(a.ctx // 4)
w.add_tokenizer_model("llama")
w.add_token_list(tokens)
w.add_token_scores(scores)
w.add_token_types(types)
w.add_bos_token_id(1)
w.add_eos_token_id(2)

# scales: unit-variance embeddings, 1/sqrt(fan_in) projections, classifier giving logits of std ~3
w.add_tensor("token_embd.weight", mat(vocab, d, 1.0))
if a.rope_freqs:
    # the shape of Llama 3.1's factors (1 for high frequencies, up to 8 for low ones), here a smooth ramp
    w.add_tensor("rope_freqs.weight", np.linspace(1.0, 8.0, hs // 2).astype(np.float32))
for l in range(a.layers):
    p = "blk.%d." % l
    w.add_tensor(p + "attn_norm.weight", (1 + 0.1 * rng.standard_normal(d)).astype(np.float32))
    q, k, v = mat(qd, d, 2.0 / np.sqrt(d)), mat(kv, d, 2.0 / np.sqrt(d)), mat(kv, d, 1.0 / np.sqrt(d))
    if a.arch == "phi3":
        w.add_tensor(p + "attn_qkv.weight", np.concatenate([q, k, v]))  # rows: Q, then K, then V
    else:
        w.add_tensor(p + "attn_q.weight", q)
        w.add_tensor(p + "attn_k.weight", k)
        w.add_tensor(p + "attn_v.weight", v)
    if a.arch == "qwen2":  # biases large enough to move the output when dropped
        w.add_tensor(p + "attn_q.bias", (0.5 * rng.standard_normal(qd)).astype(np.float32))
        w.add_tensor(p + "attn_k.bias", (0.5 * rng.standard_normal(kv)).astype(np.float32))
        w.add_tensor(p + "attn_v.bias", (0.5 * rng.standard_normal(kv)).astype(np.float32))
    w.add_tensor(p + "attn_output.weight", mat(d, qd, 1.0 / np.sqrt(qd)))
    if a.arch == "qwen3":  # RMSNorm of each head of Q and K before RoPE; weights away from 1 so they matter
        w.add_tensor(p + "attn_q_norm.weight", (1 + 0.5 * rng.standard_normal(hs)).astype(np.float32))
        w.add_tensor(p + "attn_k_norm.weight", (1 + 0.5 * rng.standard_normal(hs)).astype(np.float32))
    w.add_tensor(p + "ffn_norm.weight", (1 + 0.1 * rng.standard_normal(d)).astype(np.float32))
    gate, up = mat(h, d, 1.0 / np.sqrt(d)), mat(h, d, 1.0 / np.sqrt(d))
    if a.arch == "phi3":
        w.add_tensor(p + "ffn_up.weight", np.concatenate([gate, up]))  # ggml_swiglu: silu(first half) * second half
    else:
        w.add_tensor(p + "ffn_gate.weight", gate)
        w.add_tensor(p + "ffn_up.weight", up)
    w.add_tensor(p + "ffn_down.weight", mat(d, h, 1.0 / np.sqrt(h)))
w.add_tensor("output_norm.weight", np.ones(d, dtype=np.float32))
if not a.tied:
    w.add_tensor("output.weight", mat(vocab, d, 3.0 / np.sqrt(d)))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
