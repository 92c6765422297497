package dev.infercost.model;

import dev.infercost.BadInputException;
import dev.infercost.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Corrupt, truncated and mismatched inputs give a BadInputException naming the file and what was expected. */
class BadInputTest {
    @TempDir Path dir;

    static void assertMessage(BadInputException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.bin");
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(p.toString(), null)), "nope.bin", "not found");
        assertMessage(assertThrows(BadInputException.class, () -> Models.load("no-such-preset", null)), "unknown preset", "stories15M");
    }

    @Test
    void truncatedCheckpoint() throws Exception {
        byte[] all = Files.readAllBytes(TestModels.file("stories260K.bin"));
        Path p = dir.resolve("short.bin");
        Files.write(p, Arrays.copyOf(all, all.length - 1000));
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(p.toString(), TestModels.file("tok512.bin")));
        assertMessage(e, "short.bin", "needs 1056540 bytes", "has 1055540", "truncated");
        Path h = dir.resolve("header.bin");
        Files.write(h, Arrays.copyOf(all, 20));
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(h.toString(), TestModels.file("tok512.bin"))), "header.bin", "too short");
    }

    @Test
    void corruptHeader() throws Exception {
        byte[] all = Files.readAllBytes(TestModels.file("stories260K.bin"));
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 3); // n_heads = 3 does not divide dim 64
        Path p = dir.resolve("bad.bin");
        Files.write(p, all);
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(p.toString(), TestModels.file("tok512.bin"))), "bad.bin", "n_heads 3");
    }

    @Test
    void tokenizerVocabMismatch() {
        Path bin = TestModels.file("stories260K.bin");
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(bin.toString(), TestModels.file("tokenizer.bin")));
        assertMessage(e, "stories260K.bin", "vocab_size=512", "tokenizer.bin", "32000 entries");
    }

    @Test
    void ggufBadMagicVersionTruncationAndType() throws Exception {
        byte[] all = Files.readAllBytes(TestModels.file("stories260K.gguf"));
        Path magic = dir.resolve("magic.gguf");
        byte[] m = all.clone();
        m[0] = 'X';
        Files.write(magic, m);
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(magic.toString(), null)), "magic.gguf", "not a GGUF file");

        Path ver = dir.resolve("ver.gguf");
        byte[] v = all.clone();
        ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 7);
        Files.write(ver, v);
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(ver.toString(), null)), "ver.gguf", "version 7", "expected 3");

        Path trunc = dir.resolve("trunc.gguf");
        Files.write(trunc, Arrays.copyOf(all, all.length - 4096));
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(trunc.toString(), null)), "trunc.gguf", "truncated");

        Path hdr = dir.resolve("hdr.gguf");
        Files.write(hdr, Arrays.copyOf(all, 2000));
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(hdr.toString(), null)), "hdr.gguf");

        // an IQ2_XS (ggml type 17) tensor, a type not read here: 74 bytes per 256 elements
        LlamaModel f32 = TestModels.stories260K();
        Path q4 = dir.resolve("iq2.gguf");
        GgufWriter.of(f32, TensorType.F32).retype("blk.0.attn_q.weight", 17, new byte[64 * 64 / 256 * 74]).write(q4);
        assertMessage(assertThrows(BadInputException.class, () -> Models.load(q4.toString(), null)), "iq2.gguf", "blk.0.attn_q.weight", "IQ2_XS (17)", "Q8_0 (8)");
    }

    @Test
    void cliReportsBadInputWithExitCode2() {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try {
            System.setErr(new PrintStream(err, true));
            rc = Main.execute("generate", "--model", dir.resolve("missing.bin").toString(), "--temperature", "0");
        } finally {
            System.setErr(old);
        }
        assertEquals(2, rc);
    }

    /**
     * A finite but huge F32 weight in a matrix (what flipped exponent bits give) is refused at load instead of
     * generating garbage with exit 0: the first weight of blk.0.attn_q.weight in stories260K.gguf becomes 1e30.
     */
    @Test
    void aHugeFiniteMatrixWeightIsRefusedAsCorrupt() throws Exception {
        Path src = TestModels.file("stories260K.gguf");
        byte[] b = Files.readAllBytes(src);
        GgufFile g = new GgufFile(src);
        Tensor t = g.tensor("blk.0.attn_q.weight");
        float[] row = new float[t.cols()];
        t.dequantizeRow(0, row, 0);
        ByteBuffer pat = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 4; k++) pat.putFloat(row[k]);
        int at = indexOf(b, pat.array());
        assertTrue(at > 0, "the tensor's first weights are stored as F32 in the file");
        ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1e30f);
        Path bad = dir.resolve("huge-weight.gguf");
        Files.write(bad, b);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(bad.toString(), null));
        assertTrue(e.getMessage().contains("layer 0 wq [0, 0] is 1.0E30; expected |w| <= 1.0E7"), e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
