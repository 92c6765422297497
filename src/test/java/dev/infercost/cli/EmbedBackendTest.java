package dev.infercost.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code embed --backend/--repeat}: timing output, bad backend, TornadoVM absent. */
class EmbedBackendTest {
    /** Runs Main and returns stdout + stderr. */
    static String run(int[] rc, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(b, true);
        System.setOut(p);
        System.setErr(p);
        try { rc[0] = Main.execute(args); } finally { System.setOut(oldOut); System.setErr(oldErr); }
        return b.toString();
    }

    @Test
    void repeatPrintsSequencesPerSecond() {
        int[] rc = new int[1];
        String out = run(rc, "embed", "--text", "hello world", "--text", "a second, longer text", "--threads", "1", "--repeat", "3");
        assertEquals(0, rc[0], out);
        assertTrue(out.contains("timing: 3 runs of batch 2 x "), out);
        assertTrue(out.contains("sequences/s"), out);
    }

    @Test
    void unknownBackendIsExit2() {
        int[] rc = new int[1];
        String out = run(rc, "embed", "--text", "x", "--backend", "cuda");
        assertEquals(2, rc[0], out);
        assertTrue(out.contains("--backend cuda: expected onnx or tornado"), out);
    }

    @Test
    void tornadoWithoutTornadoVmIsExit2WithInstallHint() {
        assumeTrue(System.getenv("TORNADOVM_HOME") == null, "TORNADOVM_HOME is set: TornadoBertEncoderTest runs the real encoder instead");
        int[] rc = new int[1];
        String out = run(rc, "embed", "--text", "x", "--backend", "tornado");
        assertEquals(2, rc[0], out);
        assertTrue(out.contains("backend 'tornado' is unavailable") && out.contains("TORNADOVM_HOME"), out);
    }
}
