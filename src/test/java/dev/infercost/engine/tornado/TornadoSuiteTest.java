package dev.infercost.engine.tornado;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Makes the TornadoVM tests (src/tornado/test, compiled only by the {@code tornado} Maven profile) visible in every
 * build: one dynamic test per {@code @Test} method found there. Without TornadoVM each is reported as skipped with
 * the reason; with it, each checks that the profile compiled that test class onto this test classpath (surefire
 * then runs the real test).
 */
class TornadoSuiteTest {
    private static final Path SOURCES = Path.of("src/tornado/test");
    private static final Pattern TEST_METHOD = Pattern.compile("@Test\\s+(?:public\\s+)?void\\s+(\\w+)\\s*\\(");

    @TestFactory
    Stream<DynamicTest> tornadoTestsAreListedOrSkippedWithTheReason() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), SOURCES + " missing (tests run from the repository root)");
        boolean tornado = System.getenv("TORNADOVM_HOME") != null;
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith("Test.java")).sorted().toList()) {
                String cls = SOURCES.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".").replaceAll("\\.java$", "");
                Matcher m = TEST_METHOD.matcher(Files.readString(f));
                while (m.find()) {
                    String method = m.group(1);
                    tests.add(DynamicTest.dynamicTest(cls.substring(cls.lastIndexOf('.') + 1) + "." + method, () -> {
                        assumeTrue(tornado, "TornadoVM absent (TORNADOVM_HOME not set): " + cls + "." + method
                                + " runs only with the tornado Maven profile; see README 'TornadoVM backend'");
                        Class<?> c = Class.forName(cls);
                        assertNotNull(c.getDeclaredMethod(method).getAnnotation(org.junit.jupiter.api.Test.class),
                                cls + "." + method + " is not a JUnit test on this classpath");
                    }));
                }
            }
        }
        assertTrue(tests.size() >= 7, "expected the TornadoVM engine, encoder and quantized-model tests, found " + tests.size());
        return tests.stream();
    }
}
