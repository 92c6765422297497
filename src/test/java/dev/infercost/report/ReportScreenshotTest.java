package dev.infercost.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Renders the fixtures' comparison report in headless Chromium via benchmarks/report-screenshot.sh and asserts on
 * what a reader's browser holds: the DOM after the page's script ran (headline chips and $/query, non-empty chart
 * SVGs, no repeated series style, the sort/filter script ran) and a first-screen screenshot that is not blank.
 * The screenshots are kept in target/report-screenshot/ as test artefacts. Runs only where /usr/bin/chromium
 * exists (Debian package "chromium"; .ci/run installs it).
 */
class ReportScreenshotTest {
    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "skipped: /usr/bin/chromium not installed (apt-get install -y chromium)");
        Path out = Files.createTempDirectory("infercost-shot");
        Process p = new ProcessBuilder("bash", "benchmarks/report-screenshot.sh", out.toString())
                .redirectErrorStream(true).redirectOutput(out.resolve("log.txt").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "screenshot script did not finish");
        String log = Files.readString(out.resolve("log.txt"));
        assertEquals(0, p.exitValue(), log);
        Path keep = Path.of("target/report-screenshot");
        Files.createDirectories(keep);
        for (String f : new String[]{"report.png", "report-full.png", "report.html", "report.dom.html"})
            Files.copy(out.resolve(f), keep.resolve(f), StandardCopyOption.REPLACE_EXISTING);

        String dom = Files.readString(out.resolve("report.dom.html"));
        assertTrue(dom.contains("data-ready=\"1\""), "the page's inline script ran");
        assertTrue(dom.contains("class=\"flt\""), "filter boxes were added to the tables");
        String h = HtmlReportTest.headline(dom);
        // fixture cost.csv (gpu-h200-01), chat, owner-tco: Maia 200 $0.0000636 (projected), H200 SXM $0.000118 (measured)
        assertTrue(h.contains("Maia 200") && h.contains("H200 SXM"), "headline chips: " + h);
        assertTrue(h.contains("$0.0000636") && h.contains("$0.000118"), "headline $/query: " + h);
        assertTrue(HtmlReportTest.count(dom, "<svg class=\"chart\"") >= 8, "charts present");
        assertTrue(HtmlReportTest.assertUniqueStyles(dom) >= 8, "every chart has series and none repeats a colour+dash");

        BufferedImage img = ImageIO.read(out.resolve("report.png").toFile());
        assertEquals(1400, img.getWidth());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 5)
            for (int x = 0; x < img.getWidth(); x += 5) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 20, "only " + colours.size() + " colours: page looks blank");
        assertFalse(log.contains("Uncaught"), "JavaScript/console errors: " + log);
    }
}
