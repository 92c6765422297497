package dev.infercost.engine.onnx;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MiniLmEncoderTest {
    static MiniLmEncoder enc;

    @BeforeAll
    static void open() { enc = MiniLmEncoder.open(2); }

    @AfterAll
    static void close() { enc.close(); }

    @Test
    void unitNormAnd384Dims() {
        float[][] e = enc.embed(List.of("The cat sits on the mat.", "A short one", "Quantum chromodynamics describes the strong interaction between quarks and gluons."));
        assertEquals(3, e.length);
        for (float[] v : e) {
            assertEquals(MiniLmEncoder.DIM, v.length);
            double n = 0;
            for (float x : v) n += x * x;
            assertEquals(1.0, Math.sqrt(n), 1e-5);
        }
    }

    @Test
    void similarSentencesAreCloserThanUnrelated() {
        float[][] e = enc.embed(List.of("A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell sharply today."));
        double similar = MiniLmEncoder.cosine(e[0], e[1]);
        double unrelated = MiniLmEncoder.cosine(e[0], e[2]);
        assertTrue(similar > 0.6, "similar pair cosine " + similar);
        assertTrue(similar > unrelated + 0.4, "similar " + similar + " vs unrelated " + unrelated);
    }

    @Test
    void paddingInABatchDoesNotChangeAnEmbedding() {
        float[] alone = enc.embed(List.of("hello world"))[0];
        float[] padded = enc.embed(List.of("hello world", "a much longer sentence that forces padding of the first one"))[0];
        assertTrue(MiniLmEncoder.cosine(alone, padded) > 0.99999);
    }

    /** Golden: LangChain4j's own in-process implementation (independent tokenizer wiring, pooling and normalisation). */
    @Test
    void matchesLangChain4jReference() {
        AllMiniLmL6V2EmbeddingModel ref = new AllMiniLmL6V2EmbeddingModel();
        List<String> texts = List.of("The quick brown fox jumps over the lazy dog.", "infercost measures tokens per second per dollar.", "Héllo, wörld! 123");
        float[][] ours = enc.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] theirs = ref.embed(texts.get(i)).content().vector();
            assertEquals(MiniLmEncoder.DIM, theirs.length);
            double cos = MiniLmEncoder.cosine(ours[i], theirs);
            assertTrue(cos > 0.9999, "text " + i + " cosine vs LangChain4j " + cos);
        }
    }
}
