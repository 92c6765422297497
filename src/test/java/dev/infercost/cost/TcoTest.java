package dev.infercost.cost;

import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.Accelerator;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class TcoTest {

    @Test
    void handComputedTco() {
        // H100 SXM: server cost $33,750/GPU (DGX H100 / 8), interconnect 19% of cluster cost, 10%/yr over 5 years,
        // 80% utilised, 525 W (700 W TDP x 0.75) x 1.82 server factor x PUE 1.56 x $0.0806/kWh, other opex 20% of capex/yr.
        Tco t = Tco.compute(33750, 0.19, 0.10, 5, 0.8, 525, 1.82, 1.56, 0.0806, 0.20);
        double capex = 33750 / 0.81;                                   // 41,666.67
        double annuity = capex * 0.10 / (1 - Math.pow(1.10, -5));       // 10,991.56 per year
        double hours = 8760 * 0.8;                                      // 7,008 utilised hours
        assertEquals(41666.6667, t.capex(), 1e-3);
        assertEquals(10991.562, t.annuityPerYear(), 1e-3);
        assertEquals(annuity / hours, t.capexPerHour(), 1e-12);
        assertEquals(1.568431, t.capexPerHour(), 1e-6);
        assertEquals(0.525 * 1.82 * 1.56 * 0.0806, t.powerCostPerHour(), 1e-12);
        assertEquals(0.120141, t.powerCostPerHour(), 1e-6);
        assertEquals(0.313686, t.otherOpexPerHour(), 1e-6);
        assertEquals(2.002257, t.usdPerHour(), 1e-6);
    }

    @Test
    void catalogH100MatchesHandComputationAndComparesWithSemiAnalysis() {
        Catalog c = Catalog.bundled();
        Accelerator h100 = c.find("H100 SXM");
        Tco t = Tco.forChip(h100, c, 700 * 0.75, "estimated", 1.82);
        // unit price $27,500 (Epoch, medium confidence) x server-cost multiplier 1.64 -> 45,100; / 0.81 -> 55,679 capex
        assertEquals(Tco.compute(27500 * 1.64, 0.19, 0.10, 5, 0.8, 525, 1.82, 1.56, 0.0806, 0.20).usdPerHour(), t.usdPerHour(), 1e-12);
        assertEquals(55679.01, t.capex(), 0.01);
        assertEquals(2.0959 + 0.1201 + 0.4192, t.usdPerHour(), 1e-3);
        var semiQuote = h100.quotesByTier().get("inferencex-owner").get(0).price();
        assertTrue(semiQuote.sourceUrl() != null && !semiQuote.sourceUrl().isBlank(), "the comparison anchor must cite its source");
        // Our owner TCO (list-price server, 19% margin, other opex: $2.635/h above) against SemiAnalysis' owning
        // hyperscaler ($1.30/h): 2.635 / 1.30 = 2.03. A hyperscaler buys below list, so ours must be above the anchor,
        // but a formula or catalog defect that puts it beyond 2.5x (or below it) is caught here.
        double ratio = t.usdPerHour() / semiQuote.value();
        assertTrue(ratio > 1.0 && ratio < 2.5, "infercost owner TCO / SemiAnalysis owner TCO = " + ratio);
        assertTrue(t.assumptions().stream().anyMatch(a -> a.contains("gpu_utilisation") && a.contains("range 0.75-0.85")), t.assumptions().toString());
    }

    @Test
    void invalidInputsNameFieldAndRow(@TempDir Path tmp) throws Exception {
        assertMessage(() -> Tco.compute(-1, 0.19, 0.1, 5, 0.8, 500, 1, 1.5, 0.08, 0.2), "negative");
        assertMessage(() -> Tco.compute(1000, 0.19, 0.1, 5, 1.2, 500, 1, 1.5, 0.08, 0.2), "gpu_utilisation");
        assertMessage(() -> Tco.compute(1000, 0.19, 0.1, 5, 0.0, 500, 1, 1.5, 0.08, 0.2), "gpu_utilisation");
        assertMessage(() -> Tco.compute(1000, 0.19, 0.1, 0, 0.8, 500, 1, 1.5, 0.08, 0.2), "server_depreciation_life");

        Path u = tmp.resolve("dc.csv");
        Files.writeString(u, "parameter,scope,value,unit\ngpu_utilisation,my site,1.2,fraction\n");
        // refused when the catalog is loaded (CatalogValidator) or, at the latest, when the TCO is computed
        BadInputException e = assertThrows(BadInputException.class, () -> {
            Catalog c = Catalog.load(u);
            Tco.forChip(c.find("H100 SXM"), c, 500, "x", 1.82);
        });
        assertTrue(e.getMessage().contains("gpu_utilisation") && e.getMessage().contains("dc.csv:2"), e.getMessage());

        Files.writeString(u, "parameter,scope,value,unit\nserver_depreciation_life,my site,0,years\n");
        Catalog c2 = Catalog.load(u);
        e = assertThrows(BadInputException.class, () -> Tco.forChip(c2.find("H100 SXM"), c2, 500, "x", 1.82));
        assertTrue(e.getMessage().contains("server_depreciation_life") && e.getMessage().contains("dc.csv:2"), e.getMessage());

        Path a = tmp.resolve("quotes.csv");
        Files.writeString(a, "accelerator,vendor,metric,provider,value,unit\nH100 SXM,NVIDIA,unit_price,,-25000,USD\n");
        e = assertThrows(BadInputException.class, () -> Catalog.load(a));
        assertTrue(e.getMessage().contains("quotes.csv:2") && e.getMessage().contains("unit_price") && e.getMessage().contains("negative price"), e.getMessage());
    }

    @Test
    void chipWithoutAnyPriceHasNoOwnerTco() {
        Catalog c = Catalog.bundled();
        // MI325X's unit_price cell is empty in the published table ("no credible public price found").
        BadInputException e = assertThrows(BadInputException.class, () -> Tco.forChip(c.find("MI325X"), c, 560, "x", 1.82));
        assertTrue(e.getMessage().contains("MI325X") && e.getMessage().contains("unit_price") && e.getMessage().contains("accelerators.csv:"), e.getMessage());
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable ex, String part) {
        BadInputException e = assertThrows(BadInputException.class, ex);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
