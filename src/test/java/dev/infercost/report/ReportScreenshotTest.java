package dev.infercost.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Renders a report from the fixtures in headless Chromium via benchmarks/report-screenshot.sh and checks the
 * screenshot is a real page (not blank). Runs only where /usr/bin/chromium exists (Debian package "chromium").
 */
class ReportScreenshotTest {
    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "skipped: /usr/bin/chromium not installed (apt-get install -y chromium)");
        Path out = Files.createTempDirectory("infercost-shot");
        Process p = new ProcessBuilder("bash", "benchmarks/report-screenshot.sh", out.toString())
                .redirectErrorStream(true).redirectOutput(out.resolve("log.txt").toFile()).start();
        assertTrue(p.waitFor(170, TimeUnit.SECONDS), "screenshot script did not finish");
        String log = Files.readString(out.resolve("log.txt"));
        assertEquals(0, p.exitValue(), log);
        Path png = out.resolve("report.png");
        assertTrue(Files.size(png) > 50_000, "screenshot suspiciously small");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        // not a blank page: many distinct colours (charts) in the image
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 7)
            for (int x = 0; x < img.getWidth(); x += 7) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 50, "only " + colours.size() + " colours: page looks blank");
        assertFalse(log.contains("Uncaught"), "JavaScript/console errors: " + log);
    }
}
