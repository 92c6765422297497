package dev.infercost.measure.energy;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * CPU package energy from Linux powercap RAPL (Documentation/power/powercap/powercap.rst): the top-level zones
 * {@code <root>/intel-rapl:N/} (one per package; AMD Zen exposes the same tree) each with {@code name},
 * {@code energy_uj} (cumulative, µJ) and {@code max_energy_range_uj} (the value at which {@code energy_uj}
 * wraps to 0). Sub-zones (core, uncore, dram: {@code intel-rapl:N:M}) are not added, since package contains
 * core and uncore; DRAM is outside the package boundary.
 *
 * <p>Wrap-around: when a raw value is below the previous one the counter wrapped once, and the delta is
 * {@code max_energy_range_uj - previous + current}. At most one wrap between reads is detectable, so the meter
 * must be read at least once per wrap period (max_energy_range_uj is typically 262 J x 10^3 = ~43 min at
 * 100 W); {@link EnergyWindow} samples far more often. Energy is accumulated across reads.
 */
public final class RaplMeter implements EnergyMeter {
    /** Default powercap root. */
    public static final Path DEFAULT_ROOT = Path.of("/sys/class/powercap");
    private static final Pattern TOP_ZONE = Pattern.compile("intel-rapl:\\d+");

    private final List<Zone> zones;
    private final LongSupplier clock;
    private double totalUj;

    private static final class Zone {
        final Path energyFile;
        final String name;
        final long maxRangeUj;
        long lastRaw;

        Zone(Path energyFile, String name, long maxRangeUj, long lastRaw) {
            this.energyFile = energyFile; this.name = name; this.maxRangeUj = maxRangeUj; this.lastRaw = lastRaw;
        }
    }

    private RaplMeter(List<Zone> zones, LongSupplier clock) { this.zones = zones; this.clock = clock; }

    /**
     * Opens the RAPL package zones under {@code root}.
     *
     * @param clock monotonic ns clock for reading timestamps (System::nanoTime in production)
     * @throws BadInputException when there is no package zone, or energy_uj is not readable (recent kernels make
     *                           it root-only), with the reason
     */
    public static RaplMeter open(Path root, LongSupplier clock) {
        List<Zone> zones = new ArrayList<>();
        if (!Files.isDirectory(root)) throw new BadInputException(root + ": no powercap tree (not Linux, or powercap not available)");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            List<Path> dirs = new ArrayList<>();
            for (Path p : ds) if (TOP_ZONE.matcher(p.getFileName().toString()).matches()) dirs.add(p);
            dirs.sort(null);
            for (Path d : dirs) {
                Path e = d.resolve("energy_uj");
                String name = Files.exists(d.resolve("name")) ? Files.readString(d.resolve("name")).trim() : d.getFileName().toString();
                long max = readLong(d.resolve("max_energy_range_uj"));
                long raw;
                try {
                    raw = readLong(e);
                } catch (BadInputException ex) {
                    throw new BadInputException(e + ": not readable (" + ex.getMessage() + "); RAPL energy needs read access, e.g. run as root or chmod o+r");
                }
                zones.add(new Zone(e, name, max, raw));
            }
        } catch (IOException e) {
            throw new BadInputException(root + ": cannot list powercap zones: " + e.getMessage(), e);
        }
        if (zones.isEmpty()) throw new BadInputException(root + ": no intel-rapl:N package zones");
        return new RaplMeter(zones, clock);
    }

    static long readLong(Path p) {
        try {
            return Long.parseLong(Files.readString(p).trim());
        } catch (IOException | NumberFormatException e) {
            throw new BadInputException(p + ": cannot read an integer: " + e.getMessage());
        }
    }

    /** Energy delta for a counter read {@code cur} after {@code prev}, with one wrap at {@code maxRange}. */
    public static long delta(long prev, long cur, long maxRange) {
        return cur >= prev ? cur - prev : maxRange - prev + cur;
    }

    @Override public String name() { return "rapl"; }

    @Override public String device() {
        List<String> names = new ArrayList<>();
        for (Zone z : zones) names.add(z.name);
        return "cpu packages " + names;
    }

    @Override public Boundary boundary() { return Boundary.CPU_PACKAGE; }
    @Override public boolean estimated() { return false; }
    @Override public String basisDetail() { return "Linux powercap RAPL energy_uj counters (package domains, µJ, wrap-around at max_energy_range_uj)"; }
    @Override public boolean hasCounter() { return true; }
    @Override public boolean hasPower() { return false; }

    /** RAPL updates about every 1 ms; the project requires 1 s windows so update jitter stays well under 1%. */
    @Override public double minWindowSeconds() { return 1.0; }

    @Override
    public synchronized Reading read() {
        for (Zone z : zones) {
            long raw = readLong(z.energyFile);
            totalUj += delta(z.lastRaw, raw, z.maxRangeUj);
            z.lastRaw = raw;
        }
        return new Reading(clock.getAsLong(), totalUj / 1e6, Double.NaN);
    }
}
