package dev.infercost.engine.jvm;

import dev.infercost.model.MappedTensor;
import dev.infercost.model.TensorType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the weights go to transparent huge pages, and that the copies hold the same bytes. */
class HugePageWeightsTest {

    @Test
    void policyNamesWhyHugePagesAreNotUsed() {
        assertNull(HugePageWeights.unavailable("Linux", "always [madvise] never\n", null));
        assertNull(HugePageWeights.unavailable("Linux", "[always] madvise never\n", "true"));
        assertEquals("transparent huge pages are 'always madvise [never]'", HugePageWeights.unavailable("Linux", "always madvise [never]\n", null));
        assertEquals("disabled by -Dinfercost.jvm.hugePages=false", HugePageWeights.unavailable("Linux", "[always] madvise never", "false"));
        assertEquals("not Linux", HugePageWeights.unavailable("Mac OS X", null, null));
        assertEquals("no /sys/kernel/mm/transparent_hugepage/enabled", HugePageWeights.unavailable("Linux", null, null));
    }

    @Test
    void copiesHoldTheSameBytesOncePerTensor() throws Exception {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String setting = Files.isReadable(thp) ? Files.readString(thp) : null;
        String why = HugePageWeights.unavailable(System.getProperty("os.name"), setting, System.getProperty("infercost.jvm.hugePages"));
        Assumptions.assumeTrue(why == null, "huge pages unavailable here: " + why);
        MappedTensor a = tensor(TensorType.F32, 3, 100, 1), b = tensor(TensorType.Q8_0, 5, 64, 2);
        Map<MappedTensor, MappedTensor> m = HugePageWeights.copy(Arrays.asList(a, b, a, null));
        assertNotNull(m, "mmap/madvise failed with huge pages available");
        assertEquals(2, m.size());
        for (MappedTensor t : new MappedTensor[]{a, b}) {
            MappedTensor c = m.get(t);
            assertNotSame(t.data(), c.data());
            assertSame(t.type(), c.type());
            assertEquals(t.rows(), c.rows());
            assertEquals(t.cols(), c.cols());
            assertEquals(-1L, t.data().mismatch(c.data()), "copied bytes differ");
            assertEquals(0, c.data().address() % 64, "64-byte aligned");
        }
        assertTrue(m.get(a).data().address() / (2L << 20) == m.get(b).data().address() / (2L << 20), "one mapping");
    }

    private static MappedTensor tensor(TensorType t, int rows, int cols, int seed) {
        MemorySegment s = Arena.ofAuto().allocate(t.bytesFor((long) rows * cols), 8);
        java.util.Random rnd = new java.util.Random(seed);
        for (long i = 0; i < s.byteSize(); i++) s.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
        return new MappedTensor(t, rows, cols, s);
    }
}
