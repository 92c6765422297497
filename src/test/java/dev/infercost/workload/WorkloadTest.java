package dev.infercost.workload;

import dev.infercost.BadInputException;
import dev.infercost.model.Models;
import dev.infercost.model.LlamaModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class WorkloadTest {
    @TempDir Path tmp;

    @Test
    void fixedLengthsAreExactWithBosAndIdsInRange() {
        Workload w = new Workload(LengthDistribution.parse("--isl", "64"), LengthDistribution.parse("--osl", "32"), 3, true, null);
        List<RequestSpec> r = w.build(10, 512, 1, null, 512);
        for (RequestSpec q : r) {
            assertEquals(64, q.inputTokens());
            assertEquals(32, q.maxOutputTokens());
            assertEquals(1, q.prompt()[0]);
            for (int i = 1; i < 64; i++) assertTrue(q.prompt()[i] >= 3 && q.prompt()[i] < 512);
            assertTrue(q.ignoreEos());
        }
        assertArrayEquals(r.get(4).prompt(), w.build(10, 512, 1, null, 512).get(4).prompt(), "seeded");
        assertFalse(java.util.Arrays.equals(r.get(4).prompt(), r.get(5).prompt()));
        // clipped so ISL + OSL fits the context
        for (RequestSpec q : w.build(5, 512, 1, null, 80)) assertTrue(q.inputTokens() + q.maxOutputTokens() <= 80);
    }

    @Test
    void distributions() {
        Random rnd = new Random(1);
        LengthDistribution u = LengthDistribution.parse("--isl", "uniform:10,20");
        LengthDistribution n = LengthDistribution.parse("--isl", "normal:100,10");
        LengthDistribution l = LengthDistribution.parse("--isl", "lognormal:100,50");
        double su = 0, sn = 0, sl = 0, sl2 = 0;
        int N = 20000;
        for (int i = 0; i < N; i++) {
            int a = u.sample(rnd, 1000);
            assertTrue(a >= 10 && a <= 20);
            su += a;
            sn += n.sample(rnd, 1000);
            int b = l.sample(rnd, 100000);
            sl += b;
            sl2 += (double) b * b;
        }
        assertEquals(15, su / N, 0.1);
        assertEquals(100, sn / N, 0.5);
        assertEquals(100, sl / N, 2);                                   // lognormal parametrised by the lengths' mean
        assertEquals(50, Math.sqrt(sl2 / N - Math.pow(sl / N, 2)), 3);   // ... and sd
        assertEquals("lognormal:100,50", l.spec());
        assertThrows(BadInputException.class, () -> LengthDistribution.parse("--osl", "uniform:20,10"));
        assertThrows(BadInputException.class, () -> LengthDistribution.parse("--osl", "zipf:1,2"));
        assertThrows(BadInputException.class, () -> LengthDistribution.parse("--osl", "0"));
    }

    @Test
    void jsonlPromptsAreEncodedWithTheModelTokenizer() throws Exception {
        String shared = System.getProperty("infercost.shared");
        Path bin = shared == null ? null : Path.of(shared, "models", "stories260K.bin");
        Assumptions.assumeTrue(bin != null && Files.exists(bin), "needs ../shared/models/stories260K.bin");
        LlamaModel m = Models.load(bin.toString(), null);
        Path f = tmp.resolve("p.jsonl");
        Files.writeString(f, "{\"prompt\": \"Once upon a time\", \"output_tokens\": 7}\n\n{\"prompt\": \"Lily\"}\n");
        Workload w = new Workload(LengthDistribution.parse("--isl", "8"), LengthDistribution.parse("--osl", "5"), 1, false, f);
        List<RequestSpec> r = w.build(3, 512, 1, m.tokenizer(), 512);
        assertArrayEquals(m.tokenizer().encode("Once upon a time", true, false), r.get(0).prompt());
        assertEquals(7, r.get(0).maxOutputTokens());
        assertEquals(5, r.get(1).maxOutputTokens());
        assertArrayEquals(r.get(0).prompt(), r.get(2).prompt(), "pool cycles");
        Files.writeString(f, "{\"text\": \"x\"}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> w.build(1, 512, 1, m.tokenizer(), 512));
        assertTrue(e.getMessage().endsWith("p.jsonl:1: field \"prompt\" (text) is missing"), e.getMessage());
    }

    @Test
    void shareGptJsonTakesTheFirstHumanTurnAndTheReplyLengthAsOsl() throws Exception {
        LlamaModel m = dev.infercost.model.TestModels.stories260K();
        Path f = tmp.resolve("sg.json");
        Files.writeString(f, """
                [{"id": "a", "conversations": [{"from": "human", "value": "Once upon a time"}, {"from": "gpt", "value": "there was a cat."}]},
                 {"id": "b", "conversations": [{"from": "human", "value": "only one turn"}]},
                 {"id": "c", "conversations": [{"from": "human", "value": "Tom ran"}, {"from": "gpt", "value": "home"}, {"from": "human", "value": "x"}]}]
                """);
        Workload w = new Workload(LengthDistribution.parse("--isl", "8"), LengthDistribution.parse("--osl", "8"), 1, true, f);
        assertTrue(w.isShareGpt());
        List<RequestSpec> r = w.build(4, 512, 1, m.tokenizer(), 512);
        // entry b (one turn) is skipped; the pool cycles a, c, a, c
        assertEquals("Once upon a time", r.get(0).text());
        assertEquals("Tom ran", r.get(1).text());
        assertEquals("Once upon a time", r.get(2).text());
        assertArrayEquals(m.tokenizer().encode("Once upon a time", true, false), r.get(0).prompt());
        assertEquals(m.tokenizer().encode("there was a cat.", false, false).length, r.get(0).maxOutputTokens());
        assertEquals(m.tokenizer().encode("home", false, false).length, r.get(1).maxOutputTokens());
        Files.writeString(f, "[{\"id\": 1}]");
        BadInputException e = assertThrows(BadInputException.class, () -> w.build(1, 512, 1, m.tokenizer(), 512));
        assertTrue(e.getMessage().endsWith("sg.json: entry 0: field \"conversations\" (array) is missing"), e.getMessage());
    }
}
