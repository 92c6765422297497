package dev.infercost.model;

import dev.infercost.BadInputException;
import dev.infercost.cli.GenerateCommand;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.Engine;
import dev.infercost.engine.Sampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPT-2 byte-level BPE from GGUF metadata on the committed vocab-only fixtures in
 * {@code src/test/resources/tokenizer/} (README there): special ids and defaults as llama.cpp sets them, decoding,
 * refusal of an unknown pre-tokenizer, and generation stopping at end-of-generation tokens. The id goldens against
 * llama-tokenize are {@link GgufTokenizerGoldenTest}.
 */
class ByteLevelBpeTokenizerTest {
    static ByteLevelBpeTokenizer llama3, qwen2;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(ByteLevelBpeTokenizerTest.class.getResource("/tokenizer/" + name).toURI());
    }

    @BeforeAll
    static void load() throws Exception {
        llama3 = (ByteLevelBpeTokenizer) GgufTokenizers.load(new GgufFile(fixture("bpe-llama3-vocab.gguf")));
        qwen2 = (ByteLevelBpeTokenizer) GgufTokenizers.load(new GgufFile(fixture("bpe-qwen2-vocab.gguf")));
    }

    @AfterAll
    static void close() {
        llama3.close();
        qwen2.close();
    }

    @Test
    void specialIdsAndDefaultsAsLlamaCpp() {
        assertEquals(2778, llama3.vocabSize());
        assertEquals("llama-bpe", llama3.preTokenizer());
        assertEquals("<|begin_of_text|>", llama3.piece(llama3.bos()));
        assertEquals("<|end_of_text|>", llama3.piece(llama3.eos()));
        assertTrue(llama3.addsBos(), "llama-bpe adds BOS by default (no add_bos_token key in this file)");
        assertFalse(llama3.addsEos());
        assertEquals(List.of("<|end_of_text|>", "<|eot_id|>", "<|im_end|>", "<|endoftext|>"),
                llama3.endOfGeneration().stream().sorted().map(llama3::piece).toList());
        assertFalse(llama3.isEndOfGeneration(llama3.bos()));
        assertTrue(llama3.isEndOfGeneration(2775), "<|im_end|> is end of generation");

        assertEquals("qwen2", qwen2.preTokenizer());
        assertFalse(qwen2.addsBos(), "add_bos_token = false in the file");
        assertEquals(qwen2.bos(), qwen2.eos());
        assertEquals("<|endoftext|>", qwen2.piece(qwen2.eos()));
        assertArrayEquals(new int[0], qwen2.encode("", true, false));
        assertArrayEquals(new int[]{72, 105, qwen2.eos()}, qwen2.encode("Hi", true, true));
        assertEquals(ByteLevelBpeTokenizer.CONTROL, qwen2.tokenType(2775));
        assertEquals(ByteLevelBpeTokenizer.USER_DEFINED, qwen2.tokenType(2777));
    }

    @Test
    void decodeJoinsBytesAcrossTokens() throws Exception {
        for (String s : TokenizerGoldens.hardStrings()) {
            if (s.contains("<|")) continue; // control tokens print nothing
            assertEquals(s, llama3.decode(llama3.encode(s, false, false)), s);
            assertEquals(s, qwen2.decode(qwen2.encode(s, false, false)), s);
        }
        // " 🌍" is three tokens here: " \xF0\x9F", "\x8C", "\x8D" (ids from llama-tokenize, hard string 19)
        int[] ids = {962, 140, 141};
        assertArrayEquals(new byte[]{' ', (byte) 0xF0, (byte) 0x9F}, llama3.decodePiece(72, 962));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int id : ids) b.writeBytes(llama3.decodePiece(0, id));
        assertEquals(" 🌍", b.toString(StandardCharsets.UTF_8));
        assertArrayEquals(new byte[0], llama3.decodePiece(0, 2775), "control tokens print nothing (llama-server default)");
        assertEquals("[[name]]", llama3.decode(new int[]{2777}));
        assertEquals("Ġthe", ByteLevelBpeTokenizer.byteLevel(" the".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unknownPreTokenizerIsRefusedNamingIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        byte[] b = Files.readAllBytes(fixture("bpe-llama3-vocab.gguf"));
        byte[] from = "llama-bpe".getBytes(StandardCharsets.US_ASCII), to = "llama-xyz".getBytes(StandardCharsets.US_ASCII);
        int n = 0; // general.name contains the name too; both are rewritten (same length, so the layout holds)
        for (int at = indexOf(b, from); at >= 0; at = indexOf(b, from), n++) System.arraycopy(to, 0, b, at, to.length);
        assertEquals(2, n);
        Path f = dir.resolve("bad-pre.gguf");
        Files.write(f, b);
        BadInputException e = assertThrows(BadInputException.class, () -> GgufTokenizers.load(new GgufFile(f)));
        assertTrue(e.getMessage().startsWith(f + ": tokenizer.ggml.pre is 'llama-xyz'; supported: "), e.getMessage());
        assertTrue(e.getMessage().contains("llama-bpe") && e.getMessage().contains("qwen2"), e.getMessage());
    }

    @Test
    void badVocabulariesAreRefusedNamingTheEntry() {
        String[] base = new String[256];
        for (int b = 0; b < 256; b++) base[b] = ByteLevelBpeTokenizer.byteLevel(new byte[]{(byte) b});
        String[] dup = Arrays.copyOf(base, 257);
        dup[256] = "a";
        BadInputException e = assertThrows(BadInputException.class,
                () -> new ByteLevelBpeTokenizer(dup, null, new String[0], "gpt-2", -1, -1, -1, -1, null, null, "dup.gguf"));
        assertEquals("dup.gguf: tokenizer.ggml.tokens[256] 'a' repeats entry 97 (each token text must be unique)", e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> new ByteLevelBpeTokenizer(base, null, new String[]{"a \u4e00"}, "gpt-2", -1, -1, -1, -1, null, null, "merge.gguf"));
        assertEquals("merge.gguf: tokenizer.ggml.merges[0] 'a \u4e00' names '\u4e00', which is not in tokenizer.ggml.tokens", e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> new ByteLevelBpeTokenizer(base, null, new String[]{"a b c"}, "gpt-2", -1, -1, -1, -1, null, null, "three.gguf"));
        assertEquals("three.gguf: tokenizer.ggml.merges[0] is 'a b c'; expected two pieces separated by one space", e.getMessage());
        String[] noBytes = Arrays.copyOf(base, 256);
        noBytes[32] = "zz";
        e = assertThrows(BadInputException.class,
                () -> new ByteLevelBpeTokenizer(noBytes, null, new String[0], "gpt-2", -1, -1, -1, -1, null, null, "bytes.gguf"));
        assertTrue(e.getMessage().startsWith("bytes.gguf: tokenizer.ggml.tokens has no token for byte 0x20"), e.getMessage());
        try (ByteLevelBpeTokenizer t = new ByteLevelBpeTokenizer(base, null, new String[0], null, -1, -1, -1, -1, null, null, "nopre.gguf")) {
            assertEquals("default", t.preTokenizer(), "no tokenizer.ggml.pre: llama.cpp's default regexes (it warns)");
            assertEquals(-1, t.bos());
            assertArrayEquals(new int[]{'h', 'i'}, t.encode("hi", true, true), "no BOS/EOS ids: nothing added");
            assertArrayEquals(new int[]{'h', 0, 'i'}, t.encode("h\u0000i", false, false), "NUL is a byte like any other");
            e = assertThrows(BadInputException.class, () -> t.encode("h\ud800i", false, false));
            assertEquals("prompt text has a lone UTF-16 surrogate U+D800 at char 1; expected valid Unicode text", e.getMessage());
            assertEquals(4, t.encode("\ud83d\ude00", false, false).length, "a surrogate pair is one code point: its 4 UTF-8 bytes");
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    /** generate stops at an end-of-generation token (<|im_end|>) and prints a character split over tokens whole. */
    @Test
    void generateStopsAtEndOfGeneration() throws Exception {
        // after the prompt "Hi" (BOS H i): "Hello" " 🌍" (3 byte-level tokens), <|im_end|>, then tokens never reached
        int[] script = {72, 410, 352, 962, 140, 141, 2775, 72, 105};
        Scripted e = new Scripted(llama3.vocabSize(), script);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = GenerateCommand.run(e, llama3, "Hi", 64, new Sampler(llama3.vocabSize(), 0f, 0.9f, 1), out, new PrintStream(new ByteArrayOutputStream()));
        assertEquals("HiHello 🌍\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(9, pos, "prompt positions 0-2 (the last one samples 'H'), then 6 decodes ending with <|im_end|>");
        assertEquals(7, e.next, "one prefill and 6 decode steps; nothing after the stop token");
    }

    /** An engine whose argmax follows a script, one entry per forward position after the prompt. */
    static final class Scripted implements Engine {
        final LlamaConfig cfg;
        final int[] script;
        int next;

        Scripted(int vocab, int[] script) {
            this.cfg = new LlamaConfig(8, 16, 1, 1, 1, vocab, 128, 10000f, 1e-5f, true);
            this.script = script;
        }

        @Override public String backend() { return "scripted"; }
        @Override public String device() { return "cpu (scripted)"; }
        @Override public LlamaConfig config() { return cfg; }
        @Override public ModelInfo model() { return new ModelInfo("scripted", "preset", "preset:scripted", true, "F32", 0); }
        @Override public void close() {}

        @Override
        public DecodeSession newSession(int maxBatch, int maxContext) {
            return new DecodeSession() {
                @Override public int maxBatch() { return maxBatch; }
                @Override public int maxContext() { return maxContext; }
                @Override public void prefill(int slot, int[] tokens, int startPos, float[] logits) { emit(logits); }
                @Override public void decode(int n, int[] slots, int[] tokens, int[] positions, float[] logits) { emit(logits); }
                @Override public void close() {}
            };
        }

        private void emit(float[] logits) {
            Arrays.fill(logits, 0, cfg.vocabSize(), 0f);
            logits[script[Math.min(next++, script.length - 1)]] = 1f;
        }
    }
}
