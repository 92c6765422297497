package dev.infercost.cli;

import dev.infercost.model.TestModels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Out-of-range sampling options are bad input (exit 2), where run.c would silently replace them. */
class GenerateOptionsTest {
    @Test
    void outOfRangeOptionsExitTwo() {
        String model = TestModels.file("stories260K.bin").toString(), tok = TestModels.file("tok512.bin").toString();
        assertEquals(2, Main.execute("generate", "--model", model, "--tokenizer", tok, "--topp", "2"));
        assertEquals(2, Main.execute("generate", "--model", model, "--tokenizer", tok, "--temperature", "-1"));
        assertEquals(2, Main.execute("generate", "--model", model, "--tokenizer", tok, "--steps", "-5"));
        assertEquals(2, Main.execute("generate", "--model", model, "--tokenizer", tok, "--threads", "-3"));
        assertEquals(2, Main.execute("verify", "--model", model, "--tokenizer", tok, "--atol", "-1"));
    }
}
