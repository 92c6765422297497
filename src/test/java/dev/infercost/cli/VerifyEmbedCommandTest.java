package dev.infercost.cli;

import dev.infercost.engine.onnx.OnnxExporter;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Models;
import dev.infercost.results.CsvTable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class VerifyEmbedCommandTest {
    @TempDir
    Path tmp;

    static Path models() {
        String s = System.getProperty("infercost.shared");
        Assumptions.assumeTrue(s != null && Files.isRegularFile(Path.of(s, "models", "stories260K.bin")), "needs ../shared/models/stories260K.bin");
        return Path.of(s, "models");
    }

    static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true));
        try { r.run(); } finally { System.setOut(old); }
        return b.toString();
    }

    static Path onlyRun(Path results) throws Exception {
        try (Stream<Path> s = Files.list(results)) {
            List<Path> runs = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            assertEquals(1, runs.size(), runs.toString());
            return runs.get(0);
        }
    }

    @Test
    void verifyStories260KPassesOnJvmAndBothOnnxVariants() throws Exception {
        Path m = models();
        int[] rc = new int[1];
        String out = capture(() -> rc[0] = Main.execute("verify", "--model", m.resolve("stories260K.bin").toString(), "--tokenizer",
                m.resolve("tok512.bin").toString(), "--steps", "16", "--prompts", "2", "--threads", "1", "--results", tmp.toString()));
        assertEquals(0, rc[0], out);
        List<Map<String, String>> rows = CsvTable.read(onlyRun(tmp).resolve("verify.csv"));
        // verify checks every available backend against jvm: tornado too when TornadoVM is present in this JVM
        List<String> expected = new java.util.ArrayList<>(List.of("onnx[contrib]", "onnx[standard]"));
        if (new dev.infercost.engine.tornado.TornadoEngineProvider().availability().available()) expected.add("tornado");
        assertEquals(expected, rows.stream().map(r -> r.get("backend")).toList());
        for (Map<String, String> r : rows) {
            assertEquals("jvm", r.get("reference"));
            assertEquals("pass", r.get("verdict"));
            assertEquals("17", r.get("greedy_agreement_min [tokens]"));
            assertTrue(Double.parseDouble(r.get("max_abs_logit_diff [logit]")) < 1e-4);
        }
        assertTrue(Files.exists(onlyRun(tmp).resolve("manifest.json")));
    }

    @Test
    void verifyABroughtOnnxDecoderComparesOptimisationLevels() throws Exception {
        LlamaModel m = Models.load("stories15M", null);
        Path onnx = tmp.resolve("byo").resolve("model.onnx");
        OnnxExporter.export(m, onnx, OnnxExporter.Variant.STANDARD);
        Path tok = tmp.resolve("tokenizer.json");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) { Files.copy(in, tok); }
        Path res = tmp.resolve("res");
        int[] rc = new int[1];
        String out = capture(() -> rc[0] = Main.execute("verify", "--model", onnx.toString(), "--tokenizer", tok.toString(),
                "--steps", "4", "--prompts", "1", "--threads", "1", "--results", res.toString()));
        assertEquals(0, rc[0], out);
        List<Map<String, String>> rows = CsvTable.read(onlyRun(res).resolve("verify.csv"));
        assertEquals(1, rows.size());
        assertEquals("onnx[opt=disable]", rows.get(0).get("reference"));
        assertEquals("onnx[opt=all]", rows.get(0).get("backend"));
        assertEquals("pass", rows.get(0).get("verdict"), rows.get(0).toString());
    }

    @Test
    void verifyBadOnnxIsExit2() throws Exception {
        Path junk = Files.writeString(tmp.resolve("x.onnx"), "junk");
        assertEquals(2, Main.execute("verify", "--model", junk.toString(), "--results", tmp.resolve("r").toString()));
        assertFalse(Files.exists(tmp.resolve("r")), "no results folder for bad input");
    }

    @Test
    void embedPrintsDimsNormAndCosine() {
        int[] rc = new int[1];
        String out = capture(() -> rc[0] = Main.execute("embed", "--text", "A man plays a guitar.", "--text", "Someone is playing guitar.", "--threads", "1"));
        assertEquals(0, rc[0], out);
        assertTrue(out.contains("[0] dims=384 norm=1.000000"), out);
        assertTrue(out.contains("cos([0],[1]) = 0."), out);
    }
}
