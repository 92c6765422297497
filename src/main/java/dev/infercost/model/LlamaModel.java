package dev.infercost.model;

/** A loaded Llama-architecture decoder: config, weights, tokenizer and provenance. */
public record LlamaModel(ModelInfo info, LlamaConfig config, LlamaWeights weights, Tokenizer tokenizer) {}
