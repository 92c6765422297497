package dev.infercost.measure;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class JmhOutputTest {
    /** What a forked JVM's stderr looks like through JMH's copy, split across writes as the drainer may split it. */
    @Test
    void dropsTheForksIncubatorNoticeAndKeepsEverythingElse() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        JmhOutput out = new JmhOutput(new PrintStream(buf, true, StandardCharsets.UTF_8), null);
        out.write("WARNING: Using incubator".getBytes(StandardCharsets.UTF_8));
        out.write(" modules: jdk.incubator.vector\n".getBytes(StandardCharsets.UTF_8));
        out.write("java.lang.OutOfMemoryError: Java heap space\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("java.lang.OutOfMemoryError: Java heap space\n", buf.toString(StandardCharsets.UTF_8));
    }
}
