package dev.infercost.model;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokenisation against llama.cpp's own vocabulary files and test cases ({@code models/ggml-vocab-*.gguf} with their
 * {@code .inp}/{@code .out} pairs, which llama.cpp's test-tokenizer-0 checks with add_special = false and
 * parse_special = false), plus the hard strings of {@code tokenizer/hard-strings.json}, the long text of
 * {@link TokenizerGoldens#longText} and this project's README.md through {@code llama-tokenize} (its defaults: BOS as
 * the vocabulary asks, special tokens parsed). Runs only where {@code LLAMA_CPP_DIR} names a
 * llama.cpp checkout (the vocabularies are not committed here); the llama-tokenize part also needs the binary,
 * {@code LLAMA_TOKENIZE} or {@code $LLAMA_CPP_DIR/build/bin/llama-tokenize}. Otherwise skipped, saying why.
 */
class LlamaCppVocabTest {
    static Path dir() {
        String d = System.getenv("LLAMA_CPP_DIR");
        Assumptions.assumeTrue(d != null && Files.isDirectory(Path.of(d, "models")),
                "needs LLAMA_CPP_DIR pointing at a llama.cpp checkout (with models/ggml-vocab-*.gguf); not set here");
        return Path.of(d);
    }

    static Path vocab(String name) {
        Path p = dir().resolve("models").resolve("ggml-vocab-" + name + ".gguf");
        Assumptions.assumeTrue(Files.isRegularFile(p), "needs " + p + "; absent in this llama.cpp checkout");
        return p;
    }

    static Path llamaTokenize() {
        String b = System.getenv("LLAMA_TOKENIZE");
        Path p = b != null ? Path.of(b) : dir().resolve("build/bin/llama-tokenize");
        Assumptions.assumeTrue(Files.isExecutable(p), "needs llama-tokenize (LLAMA_TOKENIZE or $LLAMA_CPP_DIR/build/bin/llama-tokenize); " + p + " is absent");
        return p;
    }

    /** The .inp/.out cases: texts separated by "\n__ggml_vocab_test__\n", one line of ids per text. */
    static List<String[]> cases(Path vocab) throws Exception {
        String inp = Files.readString(Path.of(vocab + ".inp"), StandardCharsets.UTF_8);
        List<String> outs = Files.readAllLines(Path.of(vocab + ".out"), StandardCharsets.UTF_8);
        String[] texts = inp.split("\n__ggml_vocab_test__\n", -1);
        List<String[]> c = new ArrayList<>();
        for (int i = 0; i < outs.size() && i < texts.length; i++) c.add(new String[]{texts[i], outs.get(i)});
        return c;
    }

    @ParameterizedTest(name = "llama.cpp test cases, ggml-vocab-{0}.gguf")
    @ValueSource(strings = {"llama-bpe", "qwen2", "gpt-2", "phi-3", "llama-spm"})
    void matchesLlamaCppTestCases(String name) throws Exception {
        Path v = vocab(name);
        Tokenizer t = GgufTokenizers.load(new GgufFile(v));
        List<String[]> cs = cases(v);
        List<String> bad = new ArrayList<>();
        for (String[] c : cs) {
            int[] want = TokenizerGoldens.ids(c[1]);
            int[] got = t.encode(c[0], false, false);
            if (!Arrays.equals(want, got)) bad.add(quote(c[0]) + ": llama.cpp " + Arrays.toString(want) + ", here " + Arrays.toString(got));
        }
        if (t instanceof AutoCloseable c) c.close();
        System.out.printf("ggml-vocab-%s.gguf: %d/%d llama.cpp test cases equal%n", name, cs.size() - bad.size(), cs.size());
        assertTrue(cs.size() >= 10, "too few cases read from " + v + ".inp");
        assertEquals(List.of(), bad, name + ": " + bad.size() + " of " + cs.size() + " cases differ");
    }

    @ParameterizedTest(name = "hard strings vs llama-tokenize, ggml-vocab-{0}.gguf")
    @ValueSource(strings = {"llama-bpe", "qwen2", "phi-3", "llama-spm", "gpt-2"})
    void hardStringsMatchLlamaTokenize(String name) throws Exception {
        Path v = vocab(name);
        Path bin = llamaTokenize();
        Tokenizer t = GgufTokenizers.load(new GgufFile(v));
        List<String> strings = new ArrayList<>(TokenizerGoldens.hardStrings());
        strings.add(TokenizerGoldens.longText());
        strings.add(Files.readString(Path.of("README.md"), StandardCharsets.UTF_8)); // this project's README, ~50 KB
        List<String> bad = new ArrayList<>();
        for (String s : strings) {
            int[] want = TokenizerGoldens.llamaTokenize(bin, v, s);
            int[] got = t.encode(s, true, false);
            if (!Arrays.equals(want, got))
                bad.add(quote(s.length() > 200 ? s.substring(0, 200) + "..." : s) + ": llama-tokenize " + want.length + " ids, here " + got.length
                        + ", first difference at " + Arrays.mismatch(want, got));
        }
        if (t instanceof AutoCloseable c) c.close();
        System.out.printf("ggml-vocab-%s.gguf: %d/%d hard strings (and long texts) equal to llama-tokenize%n", name, strings.size() - bad.size(), strings.size());
        assertEquals(List.of(), bad);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "\"";
    }

}
