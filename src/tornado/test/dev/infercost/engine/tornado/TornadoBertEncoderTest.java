package dev.infercost.engine.tornado;

import dev.infercost.engine.onnx.BertReference;
import dev.infercost.engine.onnx.BertWeights;
import dev.infercost.engine.onnx.MiniLmEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * all-MiniLM-L6-v2 on TornadoVM against ONNX Runtime ({@link MiniLmEncoder}, same ONNX file) and the scalar
 * reference ({@link BertReference}, same weights). Runs only in the Maven profile "tornado", on device 0:0
 * unless -Dinfercost.tornado.device=B:D.
 */
class TornadoBertEncoderTest {
    static final String DEVICE = System.getProperty("infercost.tornado.device", "0:0");
    /** Four lengths in one batch (padding up to the longest), plus non-ASCII and a one-word text. */
    static final List<String> TEXTS = List.of("The quick brown fox jumps over the lazy dog.", "hello",
            "Quantum chromodynamics describes the strong interaction between quarks and gluons, mediated by eight gluon fields.",
            "Héllo, wörld! Prices rose 3.5% in 2024.");
    static TornadoEncoder tornado;
    static MiniLmEncoder ort;

    @BeforeAll
    static void open() {
        ort = MiniLmEncoder.open(2);
        tornado = TornadoEncoder.openMiniLm(DEVICE);
    }

    @AfterAll
    static void close() {
        if (tornado != null) tornado.close();
        if (ort != null) ort.close();
    }

    @Test
    void paddedBatchMatchesOnnxRuntime() {
        MiniLmEncoder.Batch b = ort.tokenize(TEXTS);
        assertTrue(b.tokens() < (long) b.batch() * b.seq(), "batch must contain padding");
        float[][] expected = ort.run(b), got = tornado.run(b);
        assertEquals(TEXTS.size(), got.length);
        for (int i = 0; i < TEXTS.size(); i++) {
            assertEquals(MiniLmEncoder.DIM, got[i].length);
            double n = 0;
            for (float v : got[i]) n += v * v;
            assertEquals(1.0, Math.sqrt(n), 1e-4, "L2 norm of text " + i);
            double cos = MiniLmEncoder.cosine(expected[i], got[i]);
            System.out.printf(java.util.Locale.ROOT, "tornado vs ONNX Runtime, text %d (%d tokens of %d): cosine %.8f (1 - cos = %.1e)%n", i,
                    countTokens(b, i), b.seq(), cos, 1 - cos);
            assertTrue(cos > 0.9999, "text " + i + " cosine vs ONNX Runtime " + cos);
        }
    }

    static long countTokens(MiniLmEncoder.Batch b, int i) {
        long n = 0;
        for (int t = 0; t < b.seq(); t++) n += b.attentionMask()[i * b.seq() + t];
        return n;
    }

    /** Batch 1 (its own bucket) equals the same text inside the padded batch, and the scalar reference. */
    @Test
    void singleTextMatchesReferenceAndBatchedRun() {
        MiniLmEncoder.Batch one = ort.tokenize(List.of(TEXTS.get(3)));
        float[] got = tornado.run(one)[0];
        float[] ref = BertReference.embed(BertWeights.miniLm(), one)[0];
        System.out.printf(java.util.Locale.ROOT, "tornado vs scalar reference: cosine %.8f%n", MiniLmEncoder.cosine(ref, got));
        assertTrue(MiniLmEncoder.cosine(ref, got) > 0.9999, "cosine vs scalar reference " + MiniLmEncoder.cosine(ref, got));
        float[] inBatch = tornado.run(ort.tokenize(TEXTS))[3];
        assertTrue(MiniLmEncoder.cosine(inBatch, got) > 0.99999, "cosine alone vs in batch " + MiniLmEncoder.cosine(inBatch, got));
        // second run of the bucket reuses the compiled plan and gives the same result
        assertArrayEquals(got, tornado.run(one)[0], 1e-6f);
    }
}
