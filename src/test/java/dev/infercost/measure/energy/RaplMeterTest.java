package dev.infercost.measure.energy;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class RaplMeterTest {
    @TempDir Path root;

    private void zone(String dir, String name, long energy, long max) throws IOException {
        Path d = Files.createDirectories(root.resolve(dir));
        Files.writeString(d.resolve("name"), name + "\n");
        Files.writeString(d.resolve("energy_uj"), energy + "\n");
        Files.writeString(d.resolve("max_energy_range_uj"), max + "\n");
    }

    private void set(String dir, long energy) throws IOException {
        Files.writeString(root.resolve(dir).resolve("energy_uj"), energy + "\n");
    }

    @Test
    void sumsPackagesIgnoresSubzonesAndHandlesWrapAround() throws IOException {
        zone("intel-rapl:0", "package-0", 999_000_000L, 1_000_000_000L);
        zone("intel-rapl:1", "package-1", 5_000_000L, 1_000_000_000L);
        zone("intel-rapl:0:0", "core", 1L, 1_000_000_000L);       // sub-zone: must not be added
        AtomicLong clock = new AtomicLong(0);
        RaplMeter m = RaplMeter.open(root, clock::get);
        assertEquals("cpu packages [package-0, package-1]", m.device());
        Reading r0 = m.read();
        assertEquals(0.0, r0.energyJ(), 1e-12);

        // package-0 wraps: 999 J -> max 1000 J -> 2 J = 3 J; package-1 +10 J; sub-zone changes are ignored.
        set("intel-rapl:0", 2_000_000L);
        set("intel-rapl:1", 15_000_000L);
        set("intel-rapl:0:0", 500_000_000L);
        clock.set(2_000_000_000L);
        Reading r1 = m.read();
        assertEquals(13.0, r1.energyJ() - r0.energyJ(), 1e-9);

        // a window over those readings: 13 J over 2 s = 6.5 W, valid (>= 1 s), note about idle baseline
        EnergyMeasurement e = EnergyAnalysis.analyze(m, List.of(r0, r1), 0, Double.NaN, Double.NaN);
        assertEquals(13.0, e.energyJ(), 1e-9);
        assertEquals(6.5, e.avgPowerW(), 1e-9);
        assertTrue(e.valid(), e.reasonsText());
        assertEquals("cpu-package", e.boundary());
        assertEquals(List.of("note: idle baseline not measured (figures include idle power)"), e.reasons());
    }

    @Test
    void deltaFormula() {
        assertEquals(5, RaplMeter.delta(10, 15, 100));
        assertEquals(95 - 90 + 0, RaplMeter.delta(90, 5, 95) - 5);   // 95-90+5 = 10
        assertEquals(10, RaplMeter.delta(90, 5, 95));
    }

    @Test
    void missingOrUnreadableTreeIsAReason() throws IOException {
        BadInputException e = assertThrows(BadInputException.class, () -> RaplMeter.open(root, System::nanoTime));
        assertTrue(e.getMessage().contains("no intel-rapl:N package zones"), e.getMessage());
        zone("intel-rapl:0", "package-0", 1, 10);
        Files.writeString(root.resolve("intel-rapl:0/energy_uj"), "garbage");
        e = assertThrows(BadInputException.class, () -> RaplMeter.open(root, System::nanoTime));
        assertTrue(e.getMessage().contains("energy_uj: not readable"), e.getMessage());
    }
}
