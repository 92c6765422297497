package dev.infercost.engine.onnx;

import dev.infercost.BadInputException;
import dev.infercost.engine.DecodeSession;
import dev.infercost.engine.EngineOptions;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.LlamaModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Decoder files: Optimum-layout bring-your-own decoder with tokenizer.json, external data, bad input. */
class OnnxFilesTest {
    @TempDir
    Path tmp;

    static Path resource(Path dir, String name) throws Exception {
        Path p = dir.resolve(name);
        try (InputStream in = OnnxFilesTest.class.getClassLoader().getResourceAsStream(name)) {
            Files.copy(in, p);
        }
        return p;
    }

    /** A user's Optimum-layout decoder (built with the exporter's naming) plus a tokenizer.json runs and matches the reference. */
    @Test
    void optimumLayoutDecoderWithTokenizerJsonRuns() throws Exception {
        Path tokJson = resource(tmp, MiniLmEncoder.TOKENIZER_RESOURCE);   // a real HF tokenizer.json (BERT WordPiece, 30522 ids)
        LlamaConfig c = new LlamaConfig(16, 32, 2, 2, 2, 30522, 64, 10000f, 1e-5f, true);
        LlamaModel m = RefLlama.random(c, 3, "byo");
        Path onnx = tmp.resolve("model.onnx");
        OnnxExporter.export(m, onnx, OnnxExporter.Variant.STANDARD);
        try (OnnxEngine e = OnnxEngine.openFile(onnx, new EngineOptions(1, null, Map.of()));
             HfTokenizer tok = new HfTokenizer(tokJson, e.config().vocabSize());
             DecodeSession s = e.newSession(1, 32)) {
            assertEquals("onnx", e.model().format());
            assertEquals(c, e.config(), "config recovered from export metadata");
            int[] prompt = tok.encode("hello world", false, false);
            assertArrayEquals(new int[]{7592, 2088}, prompt, "bert-base-uncased ids of 'hello world'");
            RefLlama.Forward ref = new RefLlama.Forward(m);
            float[] r = null;
            for (int p = 0; p < prompt.length; p++) r = ref.forward(prompt[p], p);
            float[] lg = new float[c.vocabSize()];
            s.prefill(0, prompt, 0, lg);
            int pos = prompt.length;
            for (int step = 0; step < 8; step++) {
                assertTrue(RefLlama.maxAbsDiff(lg, 0, r, 0, c.vocabSize()) < 1e-4, "step " + step);
                int next = RefLlama.argmax(lg, 0, c.vocabSize());
                assertFalse(new String(tok.decodePiece(prompt[0], next)).isEmpty());
                s.decode(1, new int[]{0}, new int[]{next}, new int[]{pos}, lg);
                r = ref.forward(next, pos++);
            }
        }
    }

    @Test
    void externalDataExportLoadsAndMatchesInlineExport() {
        LlamaConfig c = new LlamaConfig(32, 48, 1, 4, 4, 50, 32, 10000f, 1e-5f, false);
        LlamaModel m = RefLlama.random(c, 11, "ext");
        OnnxExporter.Result ext = OnnxExporter.export(m, tmp.resolve("ext.onnx"), OnnxExporter.Variant.CONTRIB, true);
        OnnxExporter.Result inl = OnnxExporter.export(m, tmp.resolve("inline.onnx"), OnnxExporter.Variant.CONTRIB, false);
        assertNotNull(ext.externalData());
        assertTrue(Files.exists(ext.externalData()));
        try (OnnxEngine a = OnnxEngine.openFile(ext.model(), new EngineOptions(1, null, Map.of()));
             OnnxEngine b = OnnxEngine.openFile(inl.model(), new EngineOptions(1, null, Map.of()));
             DecodeSession sa = a.newSession(1, 8); DecodeSession sb = b.newSession(1, 8)) {
            float[] la = new float[50], lb = new float[50];
            sa.prefill(0, new int[]{1, 2, 3}, 0, la);
            sb.prefill(0, new int[]{1, 2, 3}, 0, lb);
            assertArrayEquals(lb, la);
        }
        assertThrows(BadInputException.class, () -> OnnxExporter.export(m, tmp.resolve("inline.onnx"), OnnxExporter.Variant.CONTRIB, false), "never overwrites");
    }

    @Test
    void anEncoderIsNotADecoder() throws Exception {
        Path enc = resource(tmp, MiniLmEncoder.ONNX_RESOURCE);
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxEngine.openFile(enc, new EngineOptions(1, null, Map.of())));
        assertTrue(e.getMessage().contains("missing position_ids"), e.getMessage());
        assertTrue(e.getMessage().contains("no past_key_values.0.key"), e.getMessage());
        assertTrue(e.getMessage().contains("Inputs found: ["), e.getMessage());
    }

    @Test
    void garbageFileAndMissingFileAreBadInput() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.onnx"), "not a protobuf");
        assertThrows(BadInputException.class, () -> OnnxEngine.openFile(junk, new EngineOptions(1, null, Map.of())));
        assertThrows(BadInputException.class, () -> OnnxEngine.openFile(tmp.resolve("nope.onnx"), new EngineOptions(1, null, Map.of())));
    }

    @Test
    void unavailableExecutionProviderNamesTheArtifact() {
        LlamaModel m = RefLlama.random(new LlamaConfig(16, 16, 1, 2, 2, 20, 16, 10000f, 1e-5f, true), 1, "ep");
        Path onnx = tmp.resolve("ep.onnx");
        OnnxExporter.export(m, onnx, OnnxExporter.Variant.STANDARD);
        org.junit.jupiter.api.Assumptions.assumeFalse(OnnxDecoder.availableProviders().contains(ai.onnxruntime.OrtProvider.CUDA),
                "this ONNX Runtime build has CUDA (onnx-gpu profile): nothing unavailable to report");
        BadInputException e = assertThrows(BadInputException.class, () -> OnnxEngine.openFile(onnx, new EngineOptions(1, "cuda", Map.of())));
        assertTrue(e.getMessage().contains("com.microsoft.onnxruntime:onnxruntime_gpu"), e.getMessage());
        BadInputException e2 = assertThrows(BadInputException.class, () -> OnnxEngine.openFile(onnx, new EngineOptions(1, null, Map.of("ep", "tensorrt"))));
        assertTrue(e2.getMessage().contains("-Ponnx-gpu"), e2.getMessage());
    }
}
