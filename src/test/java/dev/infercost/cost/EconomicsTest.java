package dev.infercost.cost;

import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.Accelerator;

import dev.infercost.BadInputException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Published cost arithmetic reproduced by hand, and comparisons with published estimates. */
class EconomicsTest {

    @Test
    void inferenceXDollarsPerMillionTokensFromItsConstants() {
        // InferenceX form: $1.30/GPU-hour (H100 owner TCO constant) at 1,000 tok/s/GPU.
        double v = Economics.usdPerMillionTokens(1.30, 1000);
        assertEquals(1.30 / 3.6, v, 1e-12);
        assertEquals(0.361, v, 5e-4);
    }

    @Test
    void tokensPerSecondPerMegawattFromAllInKilowatts() {
        // SemiAnalysis all-in power for H100: 1.73 kW/GPU -> 1 MW holds 578.03 GPUs.
        assertEquals(1000 / 1.73 * 1000, Economics.tokPerSecPerMegawatt(1000, 1.73), 1e-6);
        assertEquals(578034.68, Economics.tokPerSecPerMegawatt(1000, 1.73), 0.01);
        assertThrows(BadInputException.class, () -> Economics.tokPerSecPerMegawatt(1000, 0));
    }

    @Test
    void whPerQueryFromWattsAndSeconds() {
        assertEquals(1400.0 / 3600.0, Economics.whPerQuery(700, 2.0), 1e-12); // 700 W for 2 s = 1400 J
        BadInputException e = assertThrows(BadInputException.class, () -> Economics.whPerQuery(-1, 2));
        assertTrue(e.getMessage().contains("power"), e.getMessage());
    }

    @Test
    void inputAndOutputCostedByPhaseTime() {
        // $3.60/h = $0.001/s. Prefill 2,000 tok/s -> $0.50/M input; decode 100 tok/s -> $10/M output.
        assertEquals(0.5, Economics.usdPerMillionTokens(3.6, 2000), 1e-12);
        assertEquals(10.0, Economics.usdPerMillionTokens(3.6, 100), 1e-12);
        double secs = Economics.deviceSecondsPerQuery(1000, 500, 2000, 100);
        assertEquals(0.5 + 5.0, secs, 1e-12);
        double q = Economics.usdPerQuery(3.6, secs);
        assertEquals(0.0055, q, 1e-15);
        // the same query costed token by token: 1000 x $0.5/M + 500 x $10/M
        assertEquals(1000 * 0.5e-6 + 500 * 10e-6, q, 1e-15);
    }

    @Test
    void annuityCapitalRecovery() {
        // 10,000 at 10% over 5 years: 10000 * 0.1 / (1 - 1.1^-5) = 2637.9748
        assertEquals(2637.9748, Economics.annuity(10000, 0.10, 5), 1e-4);
        assertEquals(2000.0, Economics.annuity(10000, 0.0, 5), 1e-12);
        BadInputException e = assertThrows(BadInputException.class, () -> Economics.annuity(10000, 0.1, 0));
        assertTrue(e.getMessage().contains("life"), e.getMessage());
    }

    @Test
    void negativePriceIsRejectedNamingTheField() {
        BadInputException e = assertThrows(BadInputException.class, () -> Economics.usdPerMillionTokens(-1.0, 1000));
        assertTrue(e.getMessage().contains("usd_per_hour"), e.getMessage());
        assertThrows(BadInputException.class, () -> Economics.usdPerMillionTokens(1.0, 0));
    }

    static List<CSVRecord> estimates() throws Exception {
        try (var r = new InputStreamReader(EconomicsTest.class.getResourceAsStream("/dev/infercost/reference/cost_estimates.csv"), StandardCharsets.UTF_8)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r).getRecords();
        }
    }

    static CSVRecord estimate(String subjectStart, String hardware) throws Exception {
        return estimates().stream().filter(r -> r.get("subject").startsWith(subjectStart) && r.get("hardware").equals(hardware)).findFirst().orElseThrow();
    }

    @Test
    void matchesInferenceXPublishedB200Estimate() throws Exception {
        // cost_estimates.csv: Llama 3.3 70B 1k/1k FP4 ~76 tok/s/user on B200: $0.093/M at $1.95/GPU-hr, ~5,971 tok/s/GPU.
        CSVRecord row = estimate("Llama 3.3 70B 1k in/1k out, FP4", "B200");
        double published = Double.parseDouble(row.get("value"));
        Matcher price = Pattern.compile("\\$([0-9.]+)/GPU-hr").matcher(row.get("notes"));
        Matcher tput = Pattern.compile("~([0-9,]+) tok/s/GPU").matcher(row.get("notes"));
        assertTrue(price.find() && tput.find(), row.get("notes"));
        double ours = Economics.usdPerMillionTokens(Double.parseDouble(price.group(1)), Double.parseDouble(tput.group(1).replace(",", "")));
        double ratio = ours / published;
        System.out.printf("InferenceX B200 Llama-3.3-70B FP4: published $%.3f/M, infercost $%.4f/M, ratio %.3f%n", published, ours, ratio);
        assertEquals(0.0907, ours, 1e-4);
        assertEquals(0.975, ratio, 0.005); // the published figure is read off a chart: within 3%
    }

    @Test
    void matchesEpochWhPerQueryEstimate() throws Exception {
        // Epoch AI: GPT-4o query, 500 output tokens, ~100B active params (2e11 FLOP/token), 10% FLOP utilisation
        // on H100, 1,275 W/GPU all-in at 70% of peak power, PUE 1.2 -> ~0.3 Wh.
        CSVRecord row = estimate("ChatGPT GPT-4o typical query", "H100 (assumed)");
        double published = Double.parseDouble(row.get("value"));
        Accelerator h100 = Catalog.bundled().find("H100 SXM");
        double tokPerS = Projection.prefillTokPerS(0.10, h100.peakFlops("bf16"), 2e11); // compute-bound, as Epoch
        double wh = Economics.whPerQuery(1275 * 0.70 * 1.2, Economics.deviceSecondsPerQuery(0, 500, 1, tokPerS));
        double ratio = wh / published;
        System.out.printf("Epoch GPT-4o query: published %.2f Wh, infercost %.4f Wh, ratio %.3f%n", published, wh, ratio);
        // 1275 x 0.7 x 1.2 W x 500 x 2e11 / (0.1 x 989.4e12) s / 3600 = 0.30069 Wh
        assertEquals(0.30069, wh, 1e-5);
        assertEquals(1.0, ratio, 0.01);
    }
}
