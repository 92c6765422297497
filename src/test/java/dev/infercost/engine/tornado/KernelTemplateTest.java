package dev.infercost.engine.tornado;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The TornadoVM kernels' F32 and F16 helpers are one text bound to two weight-array types through the overloaded
 * element loaders ({@code LlamaKernels.ld}); this checks, in every build (the kernels compile only with TornadoVM),
 * that the overloads' bodies have not drifted apart.
 */
class KernelTemplateTest {
    private static final Path KERNELS = Path.of("src/tornado/java/dev/infercost/engine/tornado/LlamaKernels.java");

    /** Bodies (text between the outer braces) of every {@code static void name(} overload, in file order. */
    static List<String> bodies(String src, String name) {
        List<String> out = new ArrayList<>();
        for (int at = src.indexOf("static void " + name + "("); at >= 0; at = src.indexOf("static void " + name + "(", at + 1)) {
            int open = src.indexOf('{', at), depth = 0, i = open;
            do {
                char ch = src.charAt(i++);
                if (ch == '{') depth++;
                else if (ch == '}') depth--;
            } while (depth > 0);
            out.add(src.substring(open + 1, i - 1));
        }
        return out;
    }

    @Test
    void f32AndF16QkvHelpersShareOneBody() throws Exception {
        String src = Files.readString(KERNELS);
        List<String> qkv = bodies(src, "qkvRow1");
        assertEquals(2, qkv.size(), "qkvRow1(FloatArray ...) and qkvRow1(ShortArray ...)");
        assertEquals(qkv.get(0), qkv.get(1), "the F32 and F16 batch-1 QKV helpers must be the same text");
        assertTrue(qkv.get(0).contains("ld(w, base + k)"), "weights are read through the overloaded loader");
        assertFalse(qkv.get(0).contains("halfToFloat"), "no dtype-specific decode inside the shared body");
    }
}
