package dev.infercost.measure.energy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EnergyWindowTest {
    @Test
    void samplerThreadCollectsReadingsAndStatedPowerIntegratesExactly() throws Exception {
        EstimateMeter m = EstimateMeter.stated(50, "cpu", Boundary.CPU_PACKAGE, System::nanoTime);
        EnergyWindow w = EnergyWindow.start(m, 10);
        Thread.sleep(120);
        EnergyMeasurement e = w.stop(Double.NaN, Double.NaN);
        assertTrue(e.samples() >= 3, "start, sampled and stop readings: " + e.samples());
        assertEquals(50.0 * e.durationS(), e.energyJ(), 1e-9);
        assertEquals(50.0, e.avgPowerW(), 1e-9);
    }

    @Test
    void nvidiaSmiMeterReadsThePowerStreamOfItsCommand() throws Exception {
        List<String> fake = List.of("sh", "-c", "echo '[N/A]'; while :; do echo 123.5; sleep 0.02; done");
        try (NvidiaSmiMeter m = new NvidiaSmiMeter(fake, 0, 20, System::nanoTime)) {
            Reading r = m.read();
            assertEquals(123.5, r.powerW(), 1e-12);
            assertTrue(Double.isNaN(r.energyJ()), "no counter");
            assertEquals("gpu", m.boundary().label());
        }
    }
}
