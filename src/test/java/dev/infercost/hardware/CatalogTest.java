package dev.infercost.hardware;

import dev.infercost.BadInputException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CatalogTest {

    @Test
    void bundledCopiesAreVerbatimCopiesOfSharedReference() throws Exception {
        String shared = System.getProperty("infercost.shared");
        Assumptions.assumeTrue(shared != null && Files.isDirectory(Path.of(shared, "reference")), "shared/reference not present: cannot compare the bundled copies");
        for (String f : List.of("accelerators.csv", "datacenter.csv", "cost_estimates.csv", "published_measurements.csv")) {
            try (InputStream in = Catalog.class.getResourceAsStream(Catalog.RES + f)) {
                assertArrayEquals(Files.readAllBytes(Path.of(shared, "reference", f)), in.readAllBytes(), f + " differs from shared/reference");
            }
        }
    }

    @Test
    void rangesTextAndConfidenceAreKept() {
        CatalogValue r = CatalogValue.parse("3.50-5.00", "USD/accel-hr", "spec", "low", "u", "2026-05", "", "x:1", false);
        assertTrue(r.isRange());
        assertEquals(3.5, r.low()); assertEquals(5.0, r.high()); assertEquals(4.25, r.value());
        assertTrue(r.lowConfidence());
        assertTrue(r.describe().contains("range 3.5-5") && r.describe().contains("LOW CONFIDENCE"), r.describe());
        CatalogValue alt = CatalogValue.parse("1.1 / 1.25", "ratio", "assumed", "medium", "", "", "", "x:2", false);
        assertEquals(1.1, alt.low()); assertEquals(1.25, alt.high());
        CatalogValue trend = CatalogValue.parse("7.7->10.7", "USD m/MW", "spec", "medium", "", "", "", "x:3", false);
        assertEquals(10.7, trend.value());
        CatalogValue text = CatalogValue.parse("single-digit cents", "USD", "spec", "low", "", "", "", "x:4", false);
        assertFalse(text.present());
        assertEquals("single-digit cents", text.raw());
        assertEquals(0.70, CatalogValue.parse("0.70 (Oct 2025)", "fraction", "spec", "medium", "", "", "", "x:5", false).value());
    }

    @Test
    void bundledCatalogHasTheChipsAndConvertsUnits() {
        Catalog c = Catalog.bundled();
        for (String chip : List.of("H100 SXM", "H200 SXM", "B200", "GB200", "MI300X", "MI325X", "MI355X", "Maia 100", "Maia 200",
                "TPU v5e", "TPU v5p", "TPU v6e", "TPU7x", "Trainium2", "Inferentia2", "Gaudi 3", "cpu-host"))
            assertNotNull(c.find(chip), chip);
        assertEquals("TPU7x (Ironwood)", c.find("TPU v7").name());
        assertEquals("Trainium2", c.find("trn2").name());
        assertEquals("B200 (HGX 1000W)", c.find("B200").name());
        Accelerator h100 = c.find("H100-SXM");
        assertEquals(3.35e12, h100.bandwidthBytesPerS(), 1);
        assertEquals(80e9, h100.memoryBytes(), 1);
        assertEquals(27500, h100.get("unit_price").value()); // medium-confidence Epoch figure beats the low-confidence 30,000
        assertEquals(192.0 * (1L << 30), c.find("TPU7x").memoryBytes(), 1); // GiB
        assertEquals("custom", c.find("TPU7x").silicon());
        assertEquals("cpu", c.find("cpu-host").silicon());
        Accelerator host = c.find("cpu-host");
        assertEquals("assumed", host.get("memory_bandwidth").provenance());
        assertEquals("assumed", host.quotesByTier().get("cloud-on-demand").get(0).price().provenance());
        assertEquals(0.0806, c.dc("electricity_price").value());
        assertEquals(0.8, c.dc("gpu_utilisation").value(), 1e-12);
        assertTrue(c.dc("gpu_utilisation").isRange());
        assertTrue(c.overrides().isEmpty());
    }

    @Test
    void userCsvOverridesAndExtends(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("quotes.csv");
        Files.writeString(f, """
                accelerator,vendor,metric,provider,value,unit,source_url,source_date,confidence,notes
                H100 SXM,NVIDIA,unit_price,,22000,USD,our PO 2026-10,2026-10,high,negotiated
                Maia 200,Microsoft,cloud_on_demand,Azure (our quote),3.10,USD/accel-hr,email,2026-11,medium,
                MyChip,Acme,memory_bandwidth,,4,TB/s,,,,
                """);
        Catalog c = Catalog.load(f);
        assertEquals(22000, c.find("H100 SXM").get("unit_price").value());
        assertTrue(c.find("H100 SXM").get("unit_price").overridden());
        assertEquals(3.10, c.find("Maia 200").quotesByTier().get("cloud-on-demand").get(0).price().value());
        assertEquals(4e12, c.find("MyChip").bandwidthBytesPerS());
        assertTrue(c.overrides().stream().anyMatch(s -> s.startsWith("H100 SXM unit_price: 27500 USD -> 22000 USD (assumed, OVERRIDDEN")), c.overrides().toString());
        assertTrue(c.overrides().stream().anyMatch(s -> s.contains("Maia 200 cloud_on_demand")), c.overrides().toString());
    }

    @Test
    void userYamlOverridesDatacenterAndHost(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("site.yaml");
        Files.writeString(f, """
                datacenter:
                  - {parameter: electricity_price, scope: our site, value: 0.05, unit: USD/kWh, source_url: utility contract}
                  - {parameter: pue, value: "1.1-1.2", unit: ratio}
                accelerators:
                  - {accelerator: cpu-host, metric: memory_bandwidth, value: 25, unit: GB/s, provenance: measured, source_url: STREAM triad}
                """);
        Catalog c = Catalog.load(f);
        assertEquals(0.05, c.dc("electricity_price").value());
        assertTrue(c.dc("electricity_price").overridden());
        assertEquals(1.15, c.dc("pue").value(), 1e-12);
        assertEquals(25e9, c.find("cpu-host").bandwidthBytesPerS(), 1);
        assertEquals("measured", c.find("cpu-host").get("memory_bandwidth").provenance());
        assertEquals(3, c.overrides().size(), c.overrides().toString());
    }

    @Test
    void badUserFilesAreRejectedWithTheRow(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.csv");
        Files.writeString(f, "accelerator,vendor,metric,provider,value,unit\nH100 SXM,NVIDIA,memory_bandwidth,,3.35,furlongs/s\n");
        BadInputException e = assertThrows(BadInputException.class, () -> Catalog.load(f));
        assertTrue(e.getMessage().contains("bad.csv:2") && e.getMessage().contains("furlongs"), e.getMessage());
        Files.writeString(f, "accelerator,vendor,metric,provider,value,unit\nH100 SXM,NVIDIA,cloud_on_demand,Me,-2,USD/accel-hr\n");
        e = assertThrows(BadInputException.class, () -> Catalog.load(f));
        assertTrue(e.getMessage().contains("bad.csv:2") && e.getMessage().contains("negative price"), e.getMessage());
        Files.writeString(f, "name,value\nx,1\n");
        assertThrows(BadInputException.class, () -> Catalog.load(f));
        assertThrows(BadInputException.class, () -> Catalog.load(tmp.resolve("absent.yaml")));
    }
}
