package dev.infercost.engine.tornado;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Rules the TornadoVM kernel sources must keep, checked in every build (the kernels themselves compile only with
 * TornadoVM, in the tornado Maven profile, which expands src/tornado/template into LlamaKernelsF32/F16/Q8 and
 * DotsF32/F16):
 * <ul>
 *   <li>the templates use only the tokens the pom defines ($X$, $W$), and the F32/F16 products read weights only
 *       through the overloaded {@code LlamaKernels.ld} loaders (no dtype-specific decode in the shared text);</li>
 *   <li>the hand-written Q8_0 products ({@code DotsQ8}) define every helper of the template with the same parameters
 *       (ByteArray for $W$), so {@code LlamaKernelsQ8} compiles from the same kernel text;</li>
 *   <li>no helper takes a local (or any Java) array: TornadoVM 5.2 indexes an array parameter of an inlined helper as
 *       a heap array (byte offset plus header), which breaks every work-group reduction with wg &gt; 1;</li>
 *   <li>no {@code Float4} is merged from branches (TornadoVM 5.2 emits a wrong move for a phi of vectors);</li>
 *   <li>in the kernel template a barrier closes the product branches before each reduction (without it Graal copied
 *       the reduction into every branch and Q8_0's qkvRope gave NaN logits with wg &gt; 1 on PoCL).</li>
 * </ul>
 */
class KernelTemplateTest {
    private static final Path DIR = Path.of("src/tornado");
    private static final Path KERNELS = DIR.resolve("template/LlamaKernelsX.java.template");
    private static final Path DOTS = DIR.resolve("template/DotsX.java.template");
    private static final Path DOTS_Q8 = DIR.resolve("java/dev/infercost/engine/tornado/DotsQ8.java");
    private static final Pattern METHOD = Pattern.compile("static\\s+(\\w+)\\s+(\\w+)\\(([^)]*)\\)\\s*\\{");

    /** Static methods of a source: name -> "returnType(params)" with whitespace collapsed. */
    static Map<String, String> signatures(String src) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = METHOD.matcher(src);
        while (m.find()) out.put(m.group(2), m.group(1) + "(" + m.group(3).replaceAll("\\s+", " ").trim() + ")");
        return out;
    }

    static List<Path> kernelSources() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(DIR)) {
            s.filter(p -> p.getFileName().toString().matches("(\\w*Kernels\\w*|Dots\\w*)\\.java(\\.template)?")).sorted().forEach(out::add);
        }
        return out;
    }

    @Test
    void templatesUseOnlyTheDefinedTokensAndTheOverloadedLoaders() throws IOException {
        for (Path t : List.of(KERNELS, DOTS)) {
            Matcher m = Pattern.compile("\\$(\\w*)\\$").matcher(Files.readString(t));
            int tokens = 0;
            while (m.find()) {
                assertTrue(m.group(1).equals("X") || m.group(1).equals("W"), t + ": unknown token $" + m.group(1) + "$ (the pom defines X and W)");
                tokens++;
            }
            assertTrue(tokens >= 5, t + ": expected the $X$ / $W$ tokens in the class name and signatures, found " + tokens);
        }
        String dots = Files.readString(DOTS);
        assertFalse(dots.contains("halfToFloat"), "no dtype-specific decode inside the shared F32/F16 text");
        assertFalse(Pattern.compile("\\bw[ab]?\\.get\\(").matcher(dots).find(), "weights are read only through ld(w, i)");
        assertTrue(dots.contains("ld(w, off + k)") && dots.contains("ld(wa, offA + k)"), "weights are read through the overloaded loader");
    }

    @Test
    void aBarrierClosesTheProductBranchesBeforeEachReduction() throws IOException {
        String k = Files.readString(KERNELS);
        Matcher m = Pattern.compile("\\n([^\\n]*)\\n\\s*int m = n == 1 \\?").matcher(k);
        int reductions = 0;
        while (m.find()) {
            assertTrue(m.group(1).trim().startsWith("c.localBarrier();"), "line before a reduction: " + m.group(1).trim());
            reductions++;
        }
        assertEquals(3, reductions, "matmul, qkvRope and ffn each have one reduction");
    }

    @Test
    void q8ProductsDefineEveryTemplateHelperWithTheSameParameters() throws IOException {
        Map<String, String> generic = signatures(Files.readString(DOTS)), q8 = signatures(Files.readString(DOTS_Q8));
        assertEquals(List.of("dot1", "dot4", "pair1", "dotNorm4", "sumSq4"), List.copyOf(generic.keySet()));
        for (Map.Entry<String, String> e : generic.entrySet())
            assertEquals(e.getValue().replace("$W$", "ByteArray"), q8.get(e.getKey()), "DotsQ8." + e.getKey());
        assertEquals(generic.keySet(), q8.keySet(), "DotsQ8 defines no helper the template lacks");
    }

    @Test
    void noHelperTakesAnArrayAndNoVectorIsMergedFromBranches() throws IOException {
        List<Path> sources = kernelSources();
        assertTrue(sources.size() >= 5, "kernel sources found: " + sources);
        for (Path f : sources) {
            String src = Files.readString(f);
            Matcher m = METHOD.matcher(src);
            while (m.find())
                assertFalse(m.group(3).contains("[]"), f + ": helper " + m.group(2) + "(" + m.group(3) + ") takes a Java array");
            assertFalse(Pattern.compile("Float4\\s+\\w+\\s*=[^;]*\\?").matcher(src).find(), f + ": a Float4 chosen by ?: (a phi of vectors)");
        }
    }
}
