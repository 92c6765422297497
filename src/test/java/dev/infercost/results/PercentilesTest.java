package dev.infercost.results;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PercentilesTest {
    @Test
    void parsesSortsAndNamesColumns() {
        assertEquals(List.of(50.0, 90.0, 99.9), Percentiles.parse("--percentiles", " 99.9,50, 90,50"));
        assertEquals("p999", Percentiles.label(99.9));
        assertEquals("p9999", Percentiles.label(99.99));
        assertEquals("p75", Percentiles.label(75));
        assertEquals("ttft_p999 [ms]", Percentiles.header("ttft", 99.9), "the existing column name of p99.9");
        assertEquals(ServingColumn.TTFT_P95.header(), Percentiles.header("ttft", 95));
        assertEquals(List.of(), Percentiles.extraHeaders(Percentiles.STANDARD));
        assertEquals(List.of("ttft_p75 [ms]", "tpot_p75 [ms]", "itl_p75 [ms]", "e2e_p75 [ms]"), Percentiles.extraHeaders(List.of(50.0, 75.0)));
    }

    @Test
    void refusesWhatIsNotAPercentile() {
        for (String bad : List.of("", "abc", "0", "100", "-5", "150", "NaN", "Infinity", "50,,90", "1e400")) {
            BadInputException e = assertThrows(BadInputException.class, () -> Percentiles.parse("--percentiles", bad), bad);
            assertTrue(e.getMessage().startsWith("--percentiles"), e.getMessage());
        }
        BadInputException e = assertThrows(BadInputException.class, () -> Percentiles.parse("--percentiles", "9.95,99.5"));
        assertTrue(e.getMessage().contains("share the column name p995"), e.getMessage());
    }
}
