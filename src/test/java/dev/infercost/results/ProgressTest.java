package dev.infercost.results;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressTest {
    @Test
    void linesShowStepDetailAndLinearEta() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(7, new PrintStream(buf, true), now::get);
        p.step("model load");
        p.step("prefill");
        now.set(60_000_000_000L); // 2 steps finished in 60 s: the 5 steps left (3..7) at 30 s each = 150 s
        assertEquals("[3/7] engine benchmarks (elapsed 1m00s, ETA ~2m30s)", p.step("engine benchmarks"));
        now.set(80_000_000_000L); // 80 s elapsed; overall done = (2 + 0.5) / 7
        String line = p.update("decode batch=8", 0.5);
        // remaining = 80 x (1 - 2.5/7) / (2.5/7) = 144 s
        assertEquals("[3/7] engine benchmarks: decode batch=8 (50%, elapsed 1m20s, ETA ~2m24s)", line);
        assertTrue(buf.toString().contains("[1/7] model load (elapsed 0s)"));
    }

    @Test
    void quietPrintsNothing() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(2, new PrintStream(buf, true), () -> 0L);
        try {
            Progress.setQuiet(true);
            p.step("a");
            p.update("b", 0.5);
            p.done("c");
        } finally {
            Progress.setQuiet(false);
        }
        assertEquals("", buf.toString());
        p.step("d");
        assertTrue(buf.toString().startsWith("[2/2] d"));
    }

    @Test
    void durationsAreCompact() {
        assertEquals("9s", Progress.duration(9.4));
        assertEquals("1m20s", Progress.duration(80));
        assertEquals("1h01m", Progress.duration(3700));
    }
}
