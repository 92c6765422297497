package dev.infercost.cli;

import dev.infercost.model.TestModels;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code generate}'s warm-up must not change what is generated (it never touches the caller's sampler) and must
 * say which tok/s figure it prints.
 */
class GenerateWarmupTest {
    private static String[] runGenerate(String... extra) throws Exception {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] base = {"generate", "--model", TestModels.file("stories260K.bin").toString(),
                    "--tokenizer", TestModels.file("tok512.bin").toString(), "--prompt", "Lily", "--steps", "256",
                    "--temperature", "1.0", "--topp", "1.0", "--seed", "7"};
            String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
            System.arraycopy(extra, 0, args, base.length, extra.length);
            int rc = Main.execute(args);
            assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void warmedSeededSamplingStillMatchesRunC() throws Exception {
        String golden = new String(GenerateGoldenTest.golden("stories260K_lily_t1_p1_s7.txt"), StandardCharsets.UTF_8);
        String[] warm = runGenerate("--warmup-s", "0.3");
        assertEquals(golden, warm[0], "warm-up changed the sampled text");
        Matcher m = Pattern.compile("steady-state figure, after ([0-9.]+) s of throw-away decoding \\((\\d+) steps").matcher(warm[1]);
        assertTrue(m.find(), warm[1]);
        assertTrue(Long.parseLong(m.group(2)) >= GenerateCommand.MIN_WARMUP_STEPS, "warm-up decoded too few steps: " + warm[1]);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.3 - 1e-9, warm[1]);

        String[] cold = runGenerate("--warmup-s", "0");
        assertEquals(golden, cold[0]);
        assertTrue(cold[1].contains("cold-JVM figure"), cold[1]);
    }

    @Test
    void warmupOutOfRangeIsBadInput() throws Exception {
        PrintStream oldErr = System.err;
        try {
            System.setErr(new PrintStream(new ByteArrayOutputStream()));
            assertEquals(2, Main.execute(new String[] {"generate", "--model", TestModels.file("stories260K.bin").toString(),
                    "--warmup-s", "NaN"}));
            assertEquals(2, Main.execute(new String[] {"generate", "--model", TestModels.file("stories260K.bin").toString(),
                    "--warmup-s", "-1"}));
        } finally {
            System.setErr(oldErr);
        }
    }
}
