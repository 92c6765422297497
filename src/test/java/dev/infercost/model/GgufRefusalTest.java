package dev.infercost.model;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the GGUF loader refuses (exit status 2 via BadInputException) instead of generating wrong text. */
class GgufRefusalTest {
    static final Path DIR = Path.of("src/test/resources/gguf");
    @TempDir Path tmp;

    @Test
    void yarnScalingIsRefusedNamingTheKey() {
        Path f = DIR.resolve("rope-yarn-q8_0.gguf");
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(f.toString(), null));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("llama.rope.scaling.type=yarn"), e.getMessage());
    }

    @Test
    void everyUnsupportedTensorTypeIsNamedAtOnce() throws Exception {
        byte[] b = Files.readAllBytes(DIR.resolve("rope-linear-q8_0.gguf"));
        setTensorType(b, "blk.0.attn_q.weight", 17);   // IQ2_XS
        setTensorType(b, "blk.0.attn_k.weight", 16);   // IQ2_XXS
        setTensorType(b, "blk.0.ffn_up.weight", 17);
        Path f = tmp.resolve("iq2.gguf");
        Files.write(f, b);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(f.toString(), null));
        assertTrue(e.getMessage().startsWith(f + ": unsupported tensor types: IQ2_XXS (16): blk.0.attn_k.weight; "
                + "IQ2_XS (17): blk.0.attn_q.weight, blk.0.ffn_up.weight; supported: F32 (0), F16 (1), Q4_0 (2)"), e.getMessage());
    }

    @Test
    void otherArchitecturesAreRefusedByName() throws Exception {
        byte[] b = Files.readAllBytes(DIR.resolve("rope-linear-q8_0.gguf"));
        int at = indexOf(b, "general.architecture".getBytes(StandardCharsets.US_ASCII)) + "general.architecture".length() + 4 + 8;
        assertEquals("llama", new String(b, at, 5, StandardCharsets.US_ASCII));
        System.arraycopy("gemma".getBytes(StandardCharsets.US_ASCII), 0, b, at, 5);
        Path f = tmp.resolve("gemma.gguf");
        Files.write(f, b);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(f.toString(), null));
        assertTrue(e.getMessage().startsWith(f + ": general.architecture is gemma, which is not supported; supported: llama ("), e.getMessage());
        assertTrue(e.getMessage().contains("qwen2 (") && e.getMessage().contains("qwen3 (") && e.getMessage().contains("phi3 ("), e.getMessage());
        // the CLI: one line, exit status 2
        assertEquals(2, dev.infercost.cli.Main.execute("generate", "--model", f.toString(), "--steps", "4", "--temperature", "0"));
    }

    @Test
    void aTensorTheGraphDoesNotUseIsRefusedByName() throws Exception {
        // a qwen2 file whose layer-0 Q bias is renamed: loading it without that bias would generate wrong text
        byte[] b = Files.readAllBytes(DIR.resolve("qwen2-q8_0.gguf"));
        rename(b, "blk.0.attn_q.bias", "blk.0.attn_x.bias");
        Path f = tmp.resolve("qwen2-extra.gguf");
        Files.write(f, b);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(f.toString(), null));
        assertEquals(f + ": tensors not used by the qwen2 graph (a variant this loader does not run; ignoring them would generate wrong text): "
                + "blk.0.attn_x.bias", e.getMessage());
    }

    @Test
    void phi3LongRopeIsRefused() throws Exception {
        byte[] b = Files.readAllBytes(DIR.resolve("phi3-q4_k_m.gguf"));
        rename(b, "blk.0.attn_output.weight", "rope_factors_long.weight");
        Path f = tmp.resolve("phi3-128k.gguf");
        Files.write(f, b);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(f.toString(), null));
        assertTrue(e.getMessage().startsWith(f + ": tensor rope_factors_long.weight (Phi-3 LongRoPE"), e.getMessage());
    }

    @Test
    void moeAndMismatchedHeadWidthsAreRefusedNamingTheKey() throws Exception {
        LlamaModel m = TestModels.stories260K();
        Path moe = tmp.resolve("moe.gguf");
        GgufWriter.of(m, TensorType.F32).u32("llama.expert_count", 8).u32("llama.expert_used_count", 2).write(moe);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(moe.toString(), null));
        assertTrue(e.getMessage().startsWith(moe + ": llama.expert_count=8 (a mixture-of-experts model"), e.getMessage());
        Path kv = tmp.resolve("kv.gguf");
        GgufWriter.of(m, TensorType.F32).u32("llama.attention.key_length", 8).u32("llama.attention.value_length", 16).write(kv);
        e = assertThrows(BadInputException.class, () -> Models.load(kv.toString(), null));
        assertTrue(e.getMessage().startsWith(kv + ": llama.attention.key_length=8 but value_length=16"), e.getMessage());
        // a key_length the tensors do not have: named by tensor and shape
        Path hd = tmp.resolve("hd.gguf");
        GgufWriter.of(m, TensorType.F32).u32("llama.attention.key_length", 16).u32("llama.attention.value_length", 16)
                .u32("llama.rope.dimension_count", 16).write(hd);
        e = assertThrows(BadInputException.class, () -> Models.load(hd.toString(), null));
        assertTrue(e.getMessage().startsWith(hd + ": tensor blk.0.attn_q.weight is [64, 64] (rows, cols) but the config needs [128, 64]"), e.getMessage());
    }

    /** Renames a tensor (or key) in a GGUF header to another name of the same length. */
    static void rename(byte[] b, String from, String to) {
        if (from.length() != to.length()) throw new IllegalArgumentException("names must have the same length");
        byte[] t = to.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, indexOf(b, from.getBytes(StandardCharsets.US_ASCII)), t.length);
    }

    @Test
    void linearFactorAndRopeFreqsAreRead() {
        LlamaModel lin = Models.load(DIR.resolve("rope-linear-q8_0.gguf").toString(), null);
        assertEquals(0.25f, lin.rope().freqScale());
        LlamaModel ff = Models.load(DIR.resolve("rope-freqs-q8_0.gguf").toString(), null);
        // make_random_llama.py --rope-freqs: linspace(1, 8, head_size/2 = 8)
        assertEquals(1f, ff.rope().freqFactors()[0]);
        assertEquals(8f, ff.rope().freqFactors()[7]);
        // pair 7 of a 16-wide head: theta^(-14/16) / 8 = 10000^-0.875 / 8
        assertEquals(Math.pow(10000, -0.875) / 8, ff.rope().frequencies(16)[7], 1e-9);
        BadInputException e = assertThrows(BadInputException.class, () -> ff.requirePlainRope("tornado"));
        assertTrue(e.getMessage().contains("rope_freqs factors") && e.getMessage().contains("tornado"), e.getMessage());
    }

    /** Overwrites the ggml type of tensor {@code name} in a GGUF header (after the name: n_dims u32, dims u64 x n, type u32). */
    static void setTensorType(byte[] b, String name, int type) {
        byte[] key = name.getBytes(StandardCharsets.US_ASCII);
        int p = indexOf(b, key) + key.length;
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int nd = bb.getInt(p);
        bb.putInt(p + 4 + 8 * nd, type);
    }

    static int indexOf(byte[] b, byte[] key) {
        outer:
        for (int i = 0; i + key.length <= b.length; i++) {
            for (int j = 0; j < key.length; j++) if (b[i + j] != key[j]) continue outer;
            // a tensor name or key is preceded by its u64 length
            if (i >= 8 && ByteBuffer.wrap(b, i - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == key.length) return i;
        }
        throw new IllegalArgumentException("not found: " + new String(key, StandardCharsets.US_ASCII));
    }
}
