package dev.infercost.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Token ids of the hard strings ({@code tokenizer/hard-strings.json}) on the committed vocab-only GGUF fixtures equal
 * llama.cpp's. Golden {@code tokenizer/FIXTURE.ids.json}: for each string,
 * {@code llama-tokenize -m FIXTURE.gguf -f STRING.txt --ids --no-escape --log-disable} (llama-tokenize's defaults:
 * BOS as the vocabulary asks, special tokens parsed), and for one long text of several thousand tokens
 * ({@link TokenizerGoldens#longText}); fixtures, trainer and commands in the README beside them.
 * Byte-level BPE with the pre-tokenizers llama-bpe, qwen2, smollm and default; SentencePiece-style BPE with special
 * tokens, and with Phi-3's rstrip rule.
 */
class GgufTokenizerGoldenTest {
    @ParameterizedTest(name = "{0}: hard strings equal llama-tokenize")
    @ValueSource(strings = {"bpe-llama3-vocab", "bpe-qwen2-vocab", "bpe-smollm-vocab", "bpe-default-vocab", "spm-vocab", "spm-phi3-vocab"})
    void hardStringsEqualLlamaTokenize(String name) throws Exception {
        JsonNode rows;
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/" + name + ".ids.json")) {
            rows = new ObjectMapper().readTree(in);
        }
        List<String> strings = new ArrayList<>(TokenizerGoldens.hardStrings());
        strings.add(TokenizerGoldens.longText());
        assertEquals(strings.size(), rows.size(), "goldens cover every hard string and the long text; regenerate them after editing hard-strings.json");
        Tokenizer t = GgufTokenizers.load(new GgufFile(ByteLevelBpeTokenizerTest.fixture(name + ".gguf")));
        List<String> bad = new ArrayList<>();
        try {
            for (int i = 0; i < rows.size(); i++) {
                JsonNode r = rows.get(i);
                assertEquals(strings.get(i), r.get("text").asText(), "row " + i);
                int[] want = new int[r.get("ids").size()];
                for (int k = 0; k < want.length; k++) want[k] = r.get("ids").get(k).asInt();
                int[] got = t.encode(r.get("text").asText(), true, false);
                if (!Arrays.equals(want, got))
                    bad.add(LlamaCppVocabTest.quote(r.get("text").asText()) + ": llama-tokenize " + Arrays.toString(want) + ", here " + Arrays.toString(got));
            }
        } finally {
            if (t instanceof AutoCloseable c) c.close();
        }
        assertEquals(List.of(), bad, name + ": " + bad.size() + " of " + rows.size() + " strings differ");
    }
}
