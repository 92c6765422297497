package dev.infercost.measure.energy;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.Result;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EnergyProfilerTest {
    @TempDir Path tmp;

    @Test
    void reportsPowerJoulesPerOpAndPerToken() throws Exception {
        Path log = tmp.resolve("energy.jsonl");
        EnergyProfiler p = new EnergyProfiler("meter=estimate:watts=40;tokensPerOp=8;intervalMs=0;log=" + log);
        p.beforeIteration(null, null);
        Thread.sleep(50);
        var out = p.afterIteration(null, null, new IterationResult(null, null, new IterationResultMetaData(1000, 900)));
        Map<String, Double> r = new HashMap<>();
        for (Result x : out) r.put(x.getLabel(), x.getScore());
        EnergyMeasurement m = EnergyProfiler.recentMeasurements().getLast();
        assertEquals(40.0, r.get("energy.power"), 1e-9);               // stated wattage
        assertEquals(m.energyJ() / 1000, r.get("energy.J/op"), 1e-12);  // all ops of the iteration
        assertEquals(m.energyJ() / 1000 / 8, r.get("energy.J/token"), 1e-12);
        assertEquals(0.0, r.get("energy.valid"));                         // estimates are never valid measurements
        assertEquals(1.0, r.get("energy.estimated"));
        String line = Files.readString(log);
        assertTrue(line.contains("\"meter\":\"estimate\"") && line.contains("\"ops\":1000"), line);
    }

    @Test
    void optionSyntax() {
        assertEquals(Map.of("meter", "estimate:tdp=65,util=cpu", "tokensPerOp", "4"),
                EnergyProfiler.parseOptions("meter=estimate:tdp=65,util=cpu;tokensPerOp=4"));
        assertThrows(BadInputException.class, () -> new EnergyProfiler("tokens=4"));
        assertThrows(BadInputException.class, () -> new EnergyProfiler("tokensPerOp=0"));
        assertEquals(List.of(), new EnergyProfiler("meter=none").afterIteration(null, null, null));
    }
}
