package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.model.LlamaConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.*;

/** generate --context-length is bounded by what one sequence's fp32 KV cache can occupy in the heap. */
class GenerateContextLengthTest {
    // stories260K's shape: dim 64, 5 layers, 8 heads, 4 KV heads (kv_dim 32), vocab 512, seq_len 512
    static final LlamaConfig S260K = new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 10000f, 1e-5f, true);

    @Test
    void boundIsTheHeapOverTheKvBytesPerPosition() {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long perPosition = 2L * 5 * 32 * 4;   // K and V x layers x kv_dim x fp32 = 1280 bytes
        long max = GenerateCommand.maxContextLength(S260K, rt);
        assertTrue(Math.abs(max - (long) (free * 0.9) / perPosition) < max / 10 + 1, max + " vs " + free);
        assertDoesNotThrow(() -> GenerateCommand.checkContextLength(2048, S260K, "stories260K", rt));
        BadInputException e = assertThrows(BadInputException.class, () -> GenerateCommand.checkContextLength(2_000_000_000, S260K, "stories260K", rt));
        assertTrue(e.getMessage().startsWith("--context-length 2000000000: expected 1.."), e.getMessage());
        assertTrue(e.getMessage().contains("needs 2384.2 GiB"), e.getMessage());   // 2e9 x 1280 B / 2^30
    }

    @Test
    void generateRefusesAHugeContextWithExitStatus2() {
        String model = dev.infercost.model.TestModels.file("stories260K.gguf").toString();
        PrintStream old = System.err;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(b, true));
            assertEquals(2, Main.execute("generate", "--model", model, "--prompt", "Once", "--steps", "4", "--warmup-s", "0",
                    "--context-length", "2000000000"));
        } finally {
            System.setErr(old);
        }
        assertTrue(b.toString().startsWith("infercost: --context-length 2000000000: expected 1.."), b.toString());
    }
}
