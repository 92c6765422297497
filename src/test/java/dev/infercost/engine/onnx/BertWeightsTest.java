package dev.infercost.engine.onnx;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BertWeightsTest {
    static final List<String> TEXTS = List.of("The quick brown fox jumps over the lazy dog.", "hello world",
            "Quantum chromodynamics describes the strong interaction between quarks and gluons.");

    @Test
    void miniLmShapesFromTheOnnxGraph() {
        BertWeights w = BertWeights.miniLm();
        assertEquals(30522, w.vocab());
        assertEquals(384, w.dim());
        assertEquals(1536, w.hidden());
        assertEquals(12, w.heads());
        assertEquals(32, w.headSize());
        assertEquals(512, w.maxPos());
        assertEquals(1e-12f, w.eps(), 1e-18f);
        assertEquals(6, w.layers().size());
    }

    /** The mapped weights, run by a scalar reference, reproduce ONNX Runtime's embeddings (padded batch of 3 lengths). */
    @Test
    void referenceForwardOnMappedWeightsMatchesOnnxRuntime() {
        BertWeights w = BertWeights.miniLm();
        try (MiniLmEncoder ort = MiniLmEncoder.open(2)) {
            MiniLmEncoder.Batch b = ort.tokenize(TEXTS);
            assertTrue(b.tokens() < (long) b.batch() * b.seq(), "batch must contain padding");
            float[][] expected = ort.run(b), got = BertReference.embed(w, b);
            for (int i = 0; i < TEXTS.size(); i++) {
                double cos = MiniLmEncoder.cosine(expected[i], got[i]);
                assertTrue(cos > 0.99999, "text " + i + " cosine " + cos);
            }
        }
    }

    @Test
    void notOnnxIsBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> BertWeights.parse(new byte[]{1, 2, 3, 4, 5}, "x.onnx"));
        assertTrue(e.getMessage().startsWith("x.onnx"), e.getMessage());
    }
}
