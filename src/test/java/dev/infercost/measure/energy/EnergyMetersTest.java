package dev.infercost.measure.energy;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EnergyMetersTest {
    @TempDir Path tmp;

    private EnergyMeters.Environment env(FakeNvml nvml, Path powercap) {
        return new EnergyMeters.Environment(powercap,
                () -> { if (nvml == null) throw new BadInputException("libnvidia-ml.so.1: not found (no NVIDIA driver on this machine)"); return nvml; },
                i -> List.of("/nonexistent/nvidia-smi"), 100, null, System::nanoTime, () -> 0L, 2);
    }

    @Test
    void gpuPrefersNvml() {
        FakeNvml nvml = new FakeNvml().push(0, 0);
        EnergyMeters.Selection s = EnergyMeters.autoSelect(EnergyMeters.Target.parse("gpu:0"), env(nvml, tmp));
        assertEquals("nvml", s.meter().name());
        assertTrue(s.rejected().isEmpty());
    }

    @Test
    void gpuWithoutDriverSaysWhyEachMeterWasNotUsed() {
        EnergyMeters.Selection s = EnergyMeters.autoSelect(EnergyMeters.Target.parse("cuda:0"), env(null, tmp));
        assertNull(s.meter());
        assertEquals(2, s.rejected().size());
        assertTrue(s.rejected().get(0).startsWith("nvml: libnvidia-ml.so.1: not found"), s.describe());
        assertTrue(s.rejected().get(1).startsWith("nvidia-smi: /nonexistent/nvidia-smi: cannot run"), s.describe());

        s = EnergyMeters.autoSelect(new EnergyMeters.Target(true, 0), env(null, tmp).withGpuEstimate("estimate:tdp=700,util=0.5"));
        assertEquals("estimate", s.meter().name());
        assertEquals("TDP 700.0 W x stated utilisation 0.50", s.meter().basisDetail());
        assertEquals(350.0, ((EstimateMeter) s.meter()).powerAt(0.5), 1e-9);
    }

    @Test
    void gpuWithoutEnergyCounterIsRejected() {
        FakeNvml nvml = new FakeNvml();
        nvml.energySupported = false;
        EnergyMeters.Selection s = EnergyMeters.autoSelect(new EnergyMeters.Target(true, 0), env(nvml, tmp));
        assertTrue(s.rejected().getFirst().contains("no NVML energy counter"), s.describe());
    }

    @Test
    void cpuPrefersRaplThenCcfEstimate() throws Exception {
        EnergyMeters.Selection s = EnergyMeters.autoSelect(EnergyMeters.Target.CPU, env(null, tmp.resolve("absent")));
        assertEquals("estimate", s.meter().name());
        assertTrue(s.meter().estimated());
        assertTrue(s.rejected().getFirst().startsWith("rapl: "), s.describe());

        Path z = Files.createDirectories(tmp.resolve("intel-rapl:0"));
        Files.writeString(z.resolve("name"), "package-0");
        Files.writeString(z.resolve("energy_uj"), "100");
        Files.writeString(z.resolve("max_energy_range_uj"), "1000");
        s = EnergyMeters.autoSelect(EnergyMeters.Target.CPU, env(null, tmp));
        assertEquals("rapl", s.meter().name());
    }

    @Test
    void specs() {
        EnergyMeters.Environment e = env(null, tmp);
        assertNull(EnergyMeters.select("none", EnergyMeters.Target.CPU, e).meter());
        assertEquals("stated constant 12.5 W", EnergyMeters.fromSpec("estimate:watts=12.5", EnergyMeters.Target.CPU, e).basisDetail());
        assertTrue(EnergyMeters.fromSpec("estimate:ccf", EnergyMeters.Target.CPU, e).basisDetail().startsWith("2 vCPUs x (0.74 W"));
        assertThrows(BadInputException.class, () -> EnergyMeters.fromSpec("joulemeter", EnergyMeters.Target.CPU, e));
        assertThrows(BadInputException.class, () -> EnergyMeters.fromSpec("estimate:util=2,tdp=5", EnergyMeters.Target.CPU, e));
        assertThrows(BadInputException.class, () -> EnergyMeters.fromSpec("nvml:x", EnergyMeters.Target.CPU, e));
        assertEquals(new EnergyMeters.Target(true, 1), EnergyMeters.Target.parse("opencl:0:1 NVIDIA gpu:1"));
        assertEquals(EnergyMeters.Target.CPU, EnergyMeters.Target.parse("cpu (2 threads)"));
    }

    @Test
    void nvidiaSmiLineParsing() {
        assertEquals(245.31, NvidiaSmiMeter.parsePower(" 245.31 "), 1e-12);
        assertTrue(Double.isNaN(NvidiaSmiMeter.parsePower("[N/A]")));
    }

    @Test
    void realNvmlAbsentHereGivesAReason() {
        // This machine has no NVIDIA driver; with one, load succeeds and NVML must list at least one GPU.
        try {
            NvmlNative n = NvmlNative.load("libnvidia-ml.so.1");
            assertTrue(n.deviceCount() > 0, "NVML loaded but lists no GPU: deviceCount must come from nvmlDeviceGetCount_v2");
            n.shutdown();
        } catch (BadInputException e) {
            assertTrue(e.getMessage().contains("libnvidia-ml.so.1"), e.getMessage());
        }
    }
}
