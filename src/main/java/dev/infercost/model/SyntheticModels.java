package dev.infercost.model;

import dev.infercost.BadInputException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Preset models: a {@link PresetShapes} architecture with deterministic synthetic weights, like vLLM's
 * {@code load_format=dummy}, for cost work where only shapes and bytes matter (never for accuracy).
 *
 * <p>Weights: every matrix element is uniform in [-a, a] with a = 0.02 * sqrt(3) (std 0.02, the usual
 * initialisation scale), produced by SplitMix64 seeded from (preset name, tensor name, row), so the values do
 * not depend on thread count or order; rows are generated in parallel. Q8_0 tensors get uniform int8 quants in
 * [-127, 127] with scale a / 127 per block. RMSNorm weights are 1.0 (F32).
 *
 * <p>Tokenizer: a synthetic SentencePiece-style vocabulary of the preset's size (labelled "synthetic"): ids
 * 0 {@code <unk>}, 1 BOS, 2 EOS, 3..258 byte pieces {@code <0xNN>}, then printable ASCII characters, " x" and
 * "xy" letter pairs, and numbered filler pieces {@code <synthetic_N>} to reach the vocab size; score of id i
 * is -(i - 259).
 */
public final class SyntheticModels {
    private SyntheticModels() {}

    static final float STD = 0.02f;
    static final float A = (float) (STD * Math.sqrt(3.0));

    /** The default dtype of a preset: Q8_0 for the Llama 3 shapes, F32 for the stories shapes. */
    public static TensorType defaultType(String canonicalName) {
        return canonicalName.startsWith("stories") ? TensorType.F32 : TensorType.Q8_0;
    }

    /**
     * Builds preset {@code name} (see {@link PresetShapes#names()}) with matrices of type {@code type}.
     *
     * @throws BadInputException unknown preset, or the weights would not fit in this machine's memory
     */
    public static LlamaModel create(String name, TensorType type) {
        LlamaConfig c = PresetShapes.config(name);
        String canon = PresetShapes.canonical(name);
        long bytes = type.bytesFor((long) c.vocabSize() * c.dim()) * (c.sharedClassifier() ? 1 : 2)
                + (long) c.nLayers() * (type.bytesFor((long) c.dim() * c.dim()) * 2 + type.bytesFor((long) c.kvDim() * c.dim()) * 2
                + type.bytesFor((long) c.hiddenDim() * c.dim()) * 3 + 8L * c.dim()) + 4L * c.dim();
        long phys = physicalMemory();
        if (phys > 0 && bytes > phys * 0.8)
            throw new BadInputException(String.format(Locale.ROOT, "preset %s:%s needs %.1f GiB of weights; this machine has %.1f GiB of memory",
                    canon, type.name().toLowerCase(Locale.ROOT), bytes / 1073741824.0, phys / 1073741824.0));
        Arena arena = Arena.ofAuto();
        int L = c.nLayers();
        Tensor emb = matrix(arena, canon, "token_embd", type, c.vocabSize(), c.dim());
        Tensor[] rmsAtt = new Tensor[L], wq = new Tensor[L], wk = new Tensor[L], wv = new Tensor[L], wo = new Tensor[L],
                rmsFfn = new Tensor[L], w1 = new Tensor[L], w2 = new Tensor[L], w3 = new Tensor[L];
        for (int l = 0; l < L; l++) {
            String p = "blk." + l + ".";
            rmsAtt[l] = ones(arena, c.dim());
            wq[l] = matrix(arena, canon, p + "attn_q", type, c.dim(), c.dim());
            wk[l] = matrix(arena, canon, p + "attn_k", type, c.kvDim(), c.dim());
            wv[l] = matrix(arena, canon, p + "attn_v", type, c.kvDim(), c.dim());
            wo[l] = matrix(arena, canon, p + "attn_output", type, c.dim(), c.dim());
            rmsFfn[l] = ones(arena, c.dim());
            w1[l] = matrix(arena, canon, p + "ffn_gate", type, c.hiddenDim(), c.dim());
            w2[l] = matrix(arena, canon, p + "ffn_down", type, c.dim(), c.hiddenDim());
            w3[l] = matrix(arena, canon, p + "ffn_up", type, c.hiddenDim(), c.dim());
        }
        Tensor rmsFinal = ones(arena, c.dim());
        Tensor cls = c.sharedClassifier() ? emb : matrix(arena, canon, "output", type, c.vocabSize(), c.dim());
        LlamaWeights w = new LlamaWeights(emb, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, cls);
        String dt = type.name().toLowerCase(Locale.ROOT);
        ModelInfo info = new ModelInfo(canon, "preset", "preset:" + canon + ":" + dt, true, type.name(), w.storedBytes());
        return new LlamaModel(info, c, w, tokenizer(c.vocabSize()));
    }

    private static long physicalMemory() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
                return os.getTotalMemorySize();
        } catch (RuntimeException ignored) {
            // unknown: no check
        }
        return -1;
    }

    private static Tensor ones(Arena arena, int n) {
        MemorySegment s = arena.allocate(4L * n, 64);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, 1.0f);
        return new MappedTensor(TensorType.F32, 1, n, s);
    }

    static long seed(String preset, String tensor) {
        long h = 0x9E3779B97F4A7C15L;
        for (byte b : (preset + "/" + tensor).getBytes(StandardCharsets.UTF_8)) h = mix(h ^ b);
        return h;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Tensor matrix(Arena arena, String preset, String name, TensorType type, int rows, int cols) {
        long rowBytes = type.bytesFor(cols);
        MemorySegment s = arena.allocate(rowBytes * rows, 64);
        long base = seed(preset, name);
        IntStream.range(0, (rows + 63) / 64).parallel().forEach(chunk -> {
            byte[] buf = new byte[(int) rowBytes];
            MemorySegment bs = MemorySegment.ofArray(buf);
            for (int r = chunk * 64; r < Math.min(rows, chunk * 64 + 64); r++) {
                long state = mix(base + 0x9E3779B97F4A7C15L * (r + 1));
                switch (type) {
                    case F32 -> {
                        for (int i = 0; i < cols; i++) {
                            state += 0x9E3779B97F4A7C15L;
                            bs.set(MappedTensor.F32, 4L * i, uniform(mix(state)));
                        }
                    }
                    case F16 -> {
                        for (int i = 0; i < cols; i++) {
                            state += 0x9E3779B97F4A7C15L;
                            bs.set(MappedTensor.I16, 2L * i, Float.floatToFloat16(uniform(mix(state))));
                        }
                    }
                    case Q8_0 -> {
                        short d = Float.floatToFloat16(A / 127f);
                        for (int b = 0; b < cols / 32; b++) {
                            bs.set(MappedTensor.I16, 34L * b, d);
                            for (int i = 0; i < 32; i += 8) {
                                state += 0x9E3779B97F4A7C15L;
                                long bits = mix(state);
                                for (int k = 0; k < 8; k++) {
                                    int q = (int) (((bits >>> (8 * k)) & 0xFF) % 255) - 127;
                                    buf[34 * b + 2 + i + k] = (byte) q;
                                }
                            }
                        }
                    }
                }
                MemorySegment.copy(bs, 0, s, r * rowBytes, rowBytes);
            }
        });
        return new MappedTensor(type, rows, cols, s);
    }

    private static float uniform(long bits) {
        // 24 random bits -> [-1, 1) -> [-A, A)
        return ((bits >>> 40) * (1.0f / (1 << 23)) - 1.0f) * A;
    }

    /** The synthetic vocabulary described in the class comment. */
    public static BpeTokenizer tokenizer(int vocab) {
        List<byte[]> p = new ArrayList<>(vocab);
        p.add("<unk>".getBytes(StandardCharsets.UTF_8));
        p.add("\n<s>\n".getBytes(StandardCharsets.UTF_8));
        p.add("\n</s>\n".getBytes(StandardCharsets.UTF_8));
        for (int b = 0; b < 256; b++) p.add(String.format(Locale.ROOT, "<0x%02X>", b).getBytes(StandardCharsets.UTF_8));
        for (char ch = 0x20; ch < 0x7F && p.size() < vocab; ch++) p.add(new byte[]{(byte) ch});
        for (char a = 'a'; a <= 'z' && p.size() < vocab; a++) p.add(new byte[]{' ', (byte) a});
        for (char a = 'a'; a <= 'z'; a++)
            for (char b = 'a'; b <= 'z' && p.size() < vocab; b++) p.add(new byte[]{(byte) a, (byte) b});
        int n = 0;
        while (p.size() < vocab) p.add(("<synthetic_" + (n++) + ">").getBytes(StandardCharsets.UTF_8));
        byte[][] pieces = p.subList(0, vocab).toArray(new byte[0][]);
        float[] scores = new float[vocab];
        for (int i = 259; i < vocab; i++) scores[i] = -(i - 259);
        return new BpeTokenizer(pieces, scores, 1, 2, "synthetic vocabulary (" + vocab + " pieces)");
    }
}
