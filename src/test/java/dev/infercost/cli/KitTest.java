package dev.infercost.cli;

import dev.infercost.model.TestModels;
import dev.infercost.results.CsvTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The portable kit end to end on this machine: {@code infercost kit} builds the archive (without TornadoVM) from
 * target/classes and the runtime class path Maven wrote (target/runtime-classpath.txt), the archive is unpacked
 * into a temporary folder, and {@code infercost-kit/bin/infercost run --quick --no-serve} runs from it in a
 * process whose PATH holds only a few shell tools (no java anywhere on it) and whose environment has no
 * JAVA_HOME: the kit's own jlink'd runtime must do everything, JMH's forked benchmark JVMs included.
 * Smallest options that still exercise the path: stories260K, decode batch 1, xz preset 0.
 */
class KitTest {

    @Test
    void theKitRunsTheMainJobWithoutAnInstalledJava(@TempDir Path tmp) throws Exception {
        Path base = Path.of("").toAbsolutePath();
        Path cpFile = base.resolve("target/runtime-classpath.txt");
        assertTrue(Files.isRegularFile(cpFile), "Maven writes target/runtime-classpath.txt (dependency:build-classpath) before the tests");
        Path archive = tmp.resolve("infercost-kit.tar.xz");
        String old = System.getProperty("infercost.home");
        System.setProperty("infercost.home", base.toString());
        try {
            int rc = Main.execute("kit", "--out", archive.toString(), "--app", base.resolve("target/classes").toString(), "--lib", cpFile.toString(),
                    "--no-tornadovm", "--models", TestModels.file("stories260K.bin").getParent().toString(), "--xz-level", "0");
            assertEquals(0, rc);
        } finally {
            if (old == null) System.clearProperty("infercost.home"); else System.setProperty("infercost.home", old);
        }
        assertTrue(Files.size(archive) > 10_000_000, "runtime + jars");
        assertEquals(2, Main.execute("kit", "--out", archive.toString(), "--no-tornadovm"), "an existing kit is never overwritten");

        Path un = tmp.resolve("unpacked");
        Files.createDirectories(un);
        KitCommand.untarXz(archive, un);
        Path kit = un.resolve("infercost-kit");
        for (String f : List.of("runtime/bin/java", "bin/infercost", "gpu-check.sh", "lib/infercost.jar", "models/stories260K.bin", "models/tok512.bin", "KIT.md", "kit.json"))
            assertTrue(Files.exists(kit.resolve(f)), f + " in the kit");
        assertTrue(Files.isExecutable(kit.resolve("bin/infercost")) && Files.isExecutable(kit.resolve("runtime/bin/java")));
        assertFalse(Files.exists(kit.resolve("runtime/bin/javac")), "a jlink'd runtime, not a JDK");
        assertFalse(Files.exists(kit.resolve("tornadovm")), "built with --no-tornadovm");
        // only linux-x64 natives; the MiniLM model left out
        Path ort;
        try (Stream<Path> s = Files.list(kit.resolve("lib"))) { ort = s.filter(p -> p.getFileName().toString().startsWith("onnxruntime")).findFirst().orElseThrow(); }
        try (JarFile jf = new JarFile(ort.toFile())) {
            assertNotNull(jf.getEntry("ai/onnxruntime/native/linux-x64/libonnxruntime.so"));
            assertTrue(jf.stream().noneMatch(e -> e.getName().contains("/osx-") || e.getName().contains("/win-") || e.getName().contains("linux-aarch64")));
        }
        try (Stream<Path> s = Files.list(kit.resolve("lib"))) {
            for (Path j : s.toList()) try (JarFile jf = new JarFile(j.toFile())) { assertNull(jf.getEntry("all-minilm-l6-v2.onnx"), j + " carries the MiniLM model"); }
        }
        String readme = Files.readString(kit.resolve("KIT.md"));
        assertTrue(readme.contains("Left out") && readme.contains("all-minilm-l6-v2.onnx"), readme);

        // a PATH with a few shell tools and no java (so only the kit's runtime/bin/java can run); no JAVA_HOME
        Path bin = tmp.resolve("path");
        Files.createDirectories(bin);
        for (String tool : List.of("bash", "dirname", "env", "sed", "grep", "mv", "cat", "uname", "nproc"))
            for (String d : List.of("/usr/bin", "/bin")) {
                Path t = Path.of(d, tool);
                if (Files.isExecutable(t) && !Files.exists(bin.resolve(tool))) Files.createSymbolicLink(bin.resolve(tool), t);
            }
        assertFalse(Files.exists(bin.resolve("java")));
        Path results = tmp.resolve("results");
        List<String> cmd = new ArrayList<>(List.of(kit.resolve("bin/infercost").toString(), "run", "--quick", "--no-serve",
                "--model", kit.resolve("models/stories260K.bin").toString(), "--tokenizer", kit.resolve("models/tok512.bin").toString(),
                "--batch", "1", "--out", results.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("run.log").toFile()).directory(tmp.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("TORNADOVM_HOME");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().put("PATH", bin.toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "kit run finished");
        String log = Files.readString(tmp.resolve("run.log"));
        System.out.printf("KitTest: run from the kit took %.0f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(0, p.exitValue(), log);

        List<Path> runs;
        try (Stream<Path> s = Files.list(results)) { runs = s.toList(); }
        assertEquals(1, runs.size(), log);
        Path run = runs.getFirst();
        List<Map<String, String>> bench = CsvTable.read(run.resolve("engine_bench.csv"));
        Map<String, String> decode = bench.stream().filter(r -> r.get("phase").equals("decode")).findFirst().orElseThrow();
        assertEquals("cpu-host", decode.get("device_class"));
        assertTrue(Double.parseDouble(decode.get("throughput [tok/s]")) > 0);
        assertTrue(decode.get("peak_basis").contains("CPU device"), decode.get("peak_basis"));
        String manifest = Files.readString(run.resolve("manifest.json"));
        assertTrue(manifest.contains("\"device_match\"") && manifest.contains("\"device_guard\""), "device evidence in the manifest");
        for (String f : List.of("cost.csv", "report.html")) assertTrue(Files.isRegularFile(run.resolve(f)), f);
    }
}
