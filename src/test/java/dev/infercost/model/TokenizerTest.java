package dev.infercost.model;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encode ids against llama2.c run.c's encode() (goldens/*.tokens.txt), decode rules of run.c decode(). */
class TokenizerTest {
    static final String[] PROMPTS = {"", "Once upon a time", "Über café, 日本", "Tom saw a 🐶 and said \"woof\"! {x} ~ 42"};

    static int[] goldenIds(int i) throws Exception {
        try (InputStream in = TokenizerTest.class.getResourceAsStream("/goldens/stories260K_p" + i + ".tokens.txt")) {
            String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return Arrays.stream(line.substring("TOKENS".length()).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        }
    }

    @Test
    void encodeMatchesRunC() throws Exception {
        Tokenizer t = BpeTokenizer.readLlama2c(TestModels.file("tok512.bin"), 512);
        for (int i = 0; i < PROMPTS.length; i++) assertArrayEquals(goldenIds(i), t.encode(PROMPTS[i], true, false), "prompt " + i);
    }

    @Test
    void ggufTokenizerEncodesLikeTok512() throws Exception {
        Tokenizer t = Models.load(TestModels.file("stories260K.gguf").toString(), null).tokenizer();
        assertEquals(512, t.vocabSize());
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        for (int i = 0; i < PROMPTS.length; i++) assertArrayEquals(goldenIds(i), t.encode(PROMPTS[i], true, false), "prompt " + i);
    }

    @Test
    void piecesBosEosAndByteFallback() {
        BpeTokenizer t = BpeTokenizer.readLlama2c(TestModels.file("tok512.bin"), 512);
        assertEquals(" Once", t.piece(403));
        assertEquals(" upon", t.piece(407));
        // leading space stripped only after BOS
        assertArrayEquals("Once".getBytes(StandardCharsets.UTF_8), t.decodePiece(1, 403));
        assertArrayEquals(" Once".getBytes(StandardCharsets.UTF_8), t.decodePiece(407, 403));
        // <0xC3> (id 0xC3 + 3) decodes to the raw byte
        assertArrayEquals(new byte[]{(byte) 0xC3}, t.decodePiece(403, 0xC3 + 3));
        assertFalse(BpeTokenizer.printable(t.decodePiece(403, 0xC3 + 3)), "run.c safe_printf drops lone non-printable bytes");
        assertTrue(BpeTokenizer.printable(t.decodePiece(403, '\n' + 3)));
        int[] withEos = t.encode("Once", true, true);
        assertEquals(2, withEos[withEos.length - 1]);
        assertArrayEquals(new int[]{1}, t.encode("", true, false));
        assertArrayEquals(new int[0], t.encode("", false, false));
    }

    @Test
    void llama2TokenizerEncodesLikeRunC() {
        BpeTokenizer t = BpeTokenizer.readLlama2c(TestModels.file("tokenizer.bin"), 32000);
        assertEquals(32000, t.vocabSize());
        assertEquals("<0x0A>", t.piece(13));
        try (InputStream in = TokenizerTest.class.getResourceAsStream("/goldens/tokenizer_bin.tokens.txt")) {
            int n = 0;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty()) continue;
                int tab = line.lastIndexOf('\t');
                int[] want = Arrays.stream(line.substring(tab + 1).split(" ")).mapToInt(Integer::parseInt).toArray();
                assertArrayEquals(want, t.encode(line.substring(0, tab), true, false), line);
                n++;
            }
            assertEquals(4, n);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void llama2cRoundTripOfVocabulary() throws Exception {
        BpeTokenizer t = BpeTokenizer.readLlama2c(TestModels.file("tok512.bin"), 512);
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile("tok", ".bin");
        try {
            java.nio.file.Files.write(tmp, t.toLlama2cBytes());
            BpeTokenizer u = BpeTokenizer.readLlama2c(tmp, 512);
            for (int i = 0; i < 512; i++) {
                assertArrayEquals(t.pieceBytes(i), u.pieceBytes(i));
                assertEquals(t.score(i), u.score(i));
            }
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }
}
