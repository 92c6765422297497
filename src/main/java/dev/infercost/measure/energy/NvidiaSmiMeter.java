package dev.infercost.measure.energy;

import dev.infercost.BadInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Fallback GPU meter: runs {@code nvidia-smi --query-gpu=power.draw --format=csv,noheader,nounits -lms <ms>
 * -i <index>} and keeps the latest power sample (W). No counter: the window's energy is the integral of the
 * sampled power, so sampling gaps invalidate it. A sample older than 3 intervals is reported as missing.
 */
public final class NvidiaSmiMeter implements EnergyMeter {
    private final Process process;
    private final int index;
    private final long intervalMs;
    private final LongSupplier clock;
    private volatile double lastW = Double.NaN;
    private volatile long lastNanos = Long.MIN_VALUE;

    /**
     * @param command the full command (normally {@link #command(int, long)}); tests substitute a script
     * @throws BadInputException when the command cannot start or prints no power reading within 5 s
     */
    public NvidiaSmiMeter(List<String> command, int index, long intervalMs, LongSupplier clock) {
        this.index = index;
        this.intervalMs = intervalMs;
        this.clock = clock;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new BadInputException(command.getFirst() + ": cannot run (" + e.getMessage() + ")");
        }
        Thread t = Thread.ofPlatform().daemon().name("nvidia-smi-reader").start(this::readLoop);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Double.isNaN(lastW) && System.nanoTime() < deadline && process.isAlive()) {
            try { Thread.sleep(20); } catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
        }
        if (Double.isNaN(lastW)) {
            process.destroy();
            throw new BadInputException(String.join(" ", command) + ": no power reading within 5 s");
        }
    }

    /** The nvidia-smi command line for GPU {@code index} sampled every {@code intervalMs}. */
    public static List<String> command(int index, long intervalMs) {
        return List.of("nvidia-smi", "--query-gpu=power.draw", "--format=csv,noheader,nounits",
                "-lms", Long.toString(intervalMs), "-i", Integer.toString(index));
    }

    /** Parses one output line ("245.31"); "[N/A]", "[Not Supported]" or junk give NaN. */
    public static double parsePower(String line) {
        try {
            return Double.parseDouble(line.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private void readLoop() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                double w = parsePower(line);
                if (!Double.isNaN(w)) {
                    lastW = w;
                    lastNanos = clock.getAsLong();
                }
            }
        } catch (IOException ignored) {
        }
    }

    @Override public String name() { return "nvidia-smi"; }
    @Override public String device() { return "gpu:" + index; }
    @Override public Boundary boundary() { return Boundary.GPU; }
    @Override public boolean estimated() { return false; }
    @Override public String basisDetail() { return "nvidia-smi power.draw sampled every " + intervalMs + " ms, integrated (no energy counter)"; }
    @Override public boolean hasCounter() { return false; }
    @Override public boolean hasPower() { return true; }

    /** power.draw is a 1 s average on recent GPUs; the same 5 s rule as NVML applies. */
    @Override public double minWindowSeconds() { return NvmlMeter.MIN_WINDOW_S; }

    @Override
    public Reading read() {
        long now = clock.getAsLong();
        boolean stale = now - lastNanos > 3 * intervalMs * 1_000_000L;
        return new Reading(now, Double.NaN, stale ? Double.NaN : lastW);
    }

    @Override
    public void close() { process.destroy(); }
}
