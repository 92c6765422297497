package dev.infercost.measure.energy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class EnergyAnalysisTest {
    private static final long S = 1_000_000_000L;

    /** NVML readings: counter 0, 1000, 2100, 3000 J... at 1 s steps; power 1000 W constant. */
    @Test
    void nvmlCounterCrossCheckedByIntegratedPower() {
        FakeNvml api = new FakeNvml();
        api.push(0, 0);                          // probe in constructor
        for (int i = 0; i <= 6; i++) api.push(i * 1_000_000L, 1_000_000L);   // 1000 J/s, 1000 W
        AtomicLong clock = new AtomicLong();
        NvmlMeter m = new NvmlMeter(api, 0, clock::get);
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i <= 6; i++) { clock.set(i * S); rs.add(m.read()); }
        EnergyMeasurement e = EnergyAnalysis.analyze(m, rs, 1.0, 200.0, Double.NaN);
        assertEquals(6000.0, e.counterJ(), 1e-9);
        assertEquals(6000.0, e.integratedJ(), 1e-9);      // trapezoid of constant 1000 W over 6 s
        assertEquals(6000.0, e.energyJ(), 1e-9);
        assertEquals(1000.0, e.avgPowerW(), 1e-9);
        assertEquals(6000.0 - 200.0 * 6, e.energyAboveIdleJ(), 1e-9);
        assertTrue(e.valid(), e.reasonsText());
        assertEquals("gpu", e.boundary());
        assertEquals("gpu:0 Fake H100", e.device());
        assertEquals(7, e.samples());
        assertTrue(e.reasons().isEmpty(), e.reasonsText());
        m.close();
        assertTrue(api.shutdown);
    }

    @Test
    void shortWindowAndDisagreementAreInvalid() {
        FakeNvml api = new FakeNvml();
        api.push(0, 0);
        // counter says 1000 J over 2 s; power says 300 W -> integrated 600 J: 40% off
        api.push(0, 300_000).push(500_000, 300_000).push(1_000_000, 300_000);
        AtomicLong clock = new AtomicLong();
        NvmlMeter m = new NvmlMeter(api, 0, clock::get);
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i <= 2; i++) { clock.set(i * S); rs.add(m.read()); }
        EnergyMeasurement e = EnergyAnalysis.analyze(m, rs, 1.0, Double.NaN, Double.NaN);
        assertFalse(e.valid());
        assertEquals(1000.0, e.energyJ(), 1e-9);
        assertEquals(600.0, e.integratedJ(), 1e-9);
        assertEquals(List.of(
                "window 2.000 s shorter than the nvml counter can resolve (>= 5.0 s)",
                "counter 1000.000 J and integrated power 600.000 J disagree by 40.0% (> 5%)",
                "note: idle baseline not measured (figures include idle power)"), e.reasons());
    }

    @Test
    void gapsInvalidateIntegratedPowerButOnlyNoteUnderACounter() {
        EnergyMeter powerOnly = meter(false, true, false, 5);
        // 100 W at t=0,1,2 then a 5 s gap to t=7, 200 W there. Trapezoid: 100+100+ (100+200)/2*5 = 950 J
        List<Reading> rs = List.of(new Reading(0, Double.NaN, 100), new Reading(S, Double.NaN, 100),
                new Reading(2 * S, Double.NaN, 100), new Reading(7 * S, Double.NaN, 200));
        EnergyMeasurement e = EnergyAnalysis.analyze(powerOnly, rs, 1.0, Double.NaN, Double.NaN);
        assertEquals(950.0, e.energyJ(), 1e-9);
        assertFalse(e.valid());
        assertEquals("sampling gap of 5.000 s (nominal interval 1.000 s)", e.reasons().getFirst());

        EnergyMeter counter = meter(true, false, false, 1);
        List<Reading> cr = List.of(new Reading(0, 10, Double.NaN), new Reading(7 * S, 80, Double.NaN));
        EnergyMeasurement c = EnergyAnalysis.analyze(counter, cr, 1.0, 5.0, Double.NaN);
        assertTrue(c.valid(), c.reasonsText());
        assertEquals(70.0, c.energyJ(), 1e-9);
        assertEquals(35.0, c.energyAboveIdleJ(), 1e-9);   // 70 - 5 W x 7 s
        assertEquals(List.of("note: sampling gap of 7.000 s (nominal interval 1.000 s) affects only the power cross-check"), c.reasons());
    }

    @Test
    void estimatesAreNeverValidAndPueScalesToFacility() {
        AtomicLong clock = new AtomicLong();
        EstimateMeter m = EstimateMeter.stated(50, "cpu", Boundary.CPU_PACKAGE, clock::get);
        Reading a = m.read();
        clock.set(10 * S);
        Reading b = m.read();
        EnergyMeasurement e = EnergyAnalysis.analyze(m, List.of(a, b), 0, 10.0, 1.5);
        assertEquals(750.0, e.energyJ(), 1e-9);            // 50 W x 10 s x PUE 1.5
        assertEquals(750.0 - 15.0 * 10, e.energyAboveIdleJ(), 1e-9);
        assertEquals("facility", e.boundary());
        assertEquals("estimated", e.basis());
        assertFalse(e.valid());
        assertTrue(e.reasons().getFirst().startsWith("estimated, not measured: stated constant 50.0 W"), e.reasonsText());
    }

    @Test
    void perVcpuEstimateFollowsCcfFormulaWithMeasuredUtilisation() {
        AtomicLong clock = new AtomicLong(), cpu = new AtomicLong();
        EstimateMeter m = EstimateMeter.perVcpu(2, 0.74, 3.5, clock::get, cpu::get);
        m.read();
        clock.set(10 * S);
        cpu.set(5 * S);                 // 5 CPU-seconds over 10 s on 2 vCPUs: utilisation 0.25
        Reading r = m.read();
        double p = 2 * (0.74 + 0.25 * (3.5 - 0.74));
        assertEquals(p, r.powerW(), 1e-12);
        assertEquals(p * 10, r.energyJ(), 1e-9);
    }

    @Test
    void fewerThanTwoReadings() {
        EnergyMeasurement e = EnergyAnalysis.analyze(meter(true, false, false, 0), List.of(new Reading(0, 0, 0)), 0, Double.NaN, Double.NaN);
        assertFalse(e.valid());
        assertEquals("fewer than 2 readings (1)", e.reasons().getFirst());
    }

    static EnergyMeter meter(boolean counter, boolean power, boolean est, double minWindow) {
        return new EnergyMeter() {
            public String name() { return "test"; }
            public String device() { return "dev"; }
            public Boundary boundary() { return Boundary.NODE; }
            public boolean estimated() { return est; }
            public String basisDetail() { return "test"; }
            public boolean hasCounter() { return counter; }
            public boolean hasPower() { return power; }
            public double minWindowSeconds() { return minWindow; }
            public Reading read() { throw new UnsupportedOperationException(); }
        };
    }
}
