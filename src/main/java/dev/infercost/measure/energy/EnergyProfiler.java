package dev.infercost.measure.energy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.BadInputException;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JMH profiler that measures energy over every iteration and reports it as secondary results:
 * {@code energy.power} [W], {@code energy.J/op}, {@code energy.J/token}, {@code energy.valid} (1 when the
 * window passed every validity rule, 0 otherwise; averaged over iterations it is the valid fraction) and
 * {@code energy.estimated} (1 for estimates).
 *
 * <p>Usage: {@code new OptionsBuilder().addProfiler(EnergyProfiler.class, "meter=auto;tokensPerOp=8")}, or on
 * JMH's command line {@code -prof dev.infercost.measure.energy.EnergyProfiler:meter=auto;tokensPerOp=8}.
 * Options, separated by {@code ;}, each {@code key=value}:
 * <ul>
 *   <li>{@code meter} (default auto): a meter spec as in {@link EnergyMeters} (auto, none, nvml[:i], rapl[:root],
 *       nvidia-smi[:i], estimate:watts=W, estimate:tdp=W[,util=U|cpu], estimate:ccf);</li>
 *   <li>{@code device} (default cpu): the measured device, "cpu" or "gpu:N";</li>
 *   <li>{@code tokensPerOp} (default 1): tokens per JMH operation. JMH counts operations already multiplied by
 *       {@code @OperationsPerInvocation}, so when a benchmark declares its tokens there (the project convention)
 *       the default 1 is right and J/token = J/op;</li>
 *   <li>{@code intervalMs} (default 100): power sampling interval;</li>
 *   <li>{@code idleW}: an idle baseline already measured, W (enables energy-above-idle in the log);</li>
 *   <li>{@code pue}: scale to the facility boundary;</li>
 *   <li>{@code log}: a file to which one JSON line per measurement iteration is appended (window, meter, device,
 *       iteration (always "measurement": warm-up iterations are not logged), boundary, basis, duration_s, energy_j, ops, j_per_op, j_per_token, valid,
 *       reasons) so a runner can write
 *       energy.csv rows with their reasons.</li>
 * </ul>
 * Windows: an iteration shorter than the meter's resolution (5 s for NVML) is flagged invalid, so use
 * measurement iterations of at least 5 s on GPUs.
 */
public final class EnergyProfiler implements InternalProfiler {
    private final String meterSpec;
    private final EnergyMeters.Target target;
    private final double tokensPerOp;
    private final long intervalMs;
    private final double idleW, pue;
    private final Path log;
    private EnergyMeters.Selection selection;
    private EnergyWindow window;
    private static final List<EnergyMeasurement> RECENT = new ArrayList<>();

    public EnergyProfiler() { this(""); }

    /** @throws BadInputException for an unknown option or a malformed value */
    public EnergyProfiler(String initLine) {
        Map<String, String> o = parseOptions(initLine);
        meterSpec = o.getOrDefault("meter", "auto");
        target = EnergyMeters.Target.parse(o.getOrDefault("device", "cpu"));
        tokensPerOp = number(o, "tokensPerOp", 1);
        intervalMs = (long) number(o, "intervalMs", 100);
        idleW = number(o, "idleW", Double.NaN);
        pue = number(o, "pue", Double.NaN);
        log = o.containsKey("log") ? Path.of(o.get("log")) : null;
        if (tokensPerOp <= 0) throw new BadInputException("EnergyProfiler: tokensPerOp must be > 0, got " + tokensPerOp);
    }

    /** Parses "k=v;k=v" (values may contain ':' ',' '='). */
    public static Map<String, String> parseOptions(String initLine) {
        Map<String, String> o = new LinkedHashMap<>();
        if (initLine == null || initLine.isBlank()) return o;
        for (String part : initLine.split(";")) {
            if (part.isBlank()) continue;
            int e = part.indexOf('=');
            if (e <= 0) throw new BadInputException("EnergyProfiler option '" + part + "': expected key=value");
            String k = part.substring(0, e).trim();
            if (!List.of("meter", "device", "tokensPerOp", "intervalMs", "idleW", "pue", "log").contains(k))
                throw new BadInputException("EnergyProfiler: unknown option '" + k + "' (known: meter, device, tokensPerOp, intervalMs, idleW, pue, log)");
            o.put(k, part.substring(e + 1).trim());
        }
        return o;
    }

    private static double number(Map<String, String> o, String k, double dflt) {
        if (!o.containsKey(k)) return dflt;
        try {
            return Double.parseDouble(o.get(k));
        } catch (NumberFormatException e) {
            throw new BadInputException("EnergyProfiler: " + k + "=" + o.get(k) + " is not a number");
        }
    }

    /** Measurements of the iterations run in this JVM (forks=0), most recent last. */
    public static synchronized List<EnergyMeasurement> recentMeasurements() { return List.copyOf(RECENT); }

    /** The meter selection in use (null before the first iteration). */
    public EnergyMeters.Selection selection() { return selection; }

    @Override
    public String getDescription() {
        return "Energy per iteration (W, J/op, J/token) from NVML, RAPL, nvidia-smi or a labelled estimate; options: meter, device, tokensPerOp, intervalMs, idleW, pue, log";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (selection == null) selection = EnergyMeters.select(meterSpec, target, EnergyMeters.system());
        if (selection.meter() != null) window = EnergyWindow.start(selection.meter(), intervalMs);
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        if (window == null) return List.of();
        EnergyMeasurement m = window.stop(idleW, pue);
        window = null;
        long ops = result.getMetadata() == null ? 0 : result.getMetadata().getAllOps();
        String type = iterationParams == null ? null : iterationParams.getType().name().toLowerCase(Locale.ROOT);
        return results(m, ops, benchmarkParams == null ? null : benchmarkParams.getBenchmark(), type);
    }

    /** The secondary results for one iteration's measurement over {@code ops} operations (also logged). */
    Collection<? extends Result> results(EnergyMeasurement m, long ops, String benchmark, String iterationType) {
        synchronized (EnergyProfiler.class) {
            RECENT.add(m);
            if (RECENT.size() > 1000) RECENT.removeFirst();
        }
        double jPerOp = ops > 0 ? m.energyJ() / ops : Double.NaN;
        double jPerTok = jPerOp / tokensPerOp;
        List<Result> out = new ArrayList<>();
        out.add(new ScalarResult("energy.power", m.avgPowerW(), "W", AggregationPolicy.AVG));
        out.add(new ScalarResult("energy.J/op", jPerOp, "J/op", AggregationPolicy.AVG));
        out.add(new ScalarResult("energy.J/token", jPerTok, "J/tok", AggregationPolicy.AVG));
        out.add(new ScalarResult("energy.valid", m.valid() ? 1 : 0, "fraction", AggregationPolicy.AVG));
        out.add(new ScalarResult("energy.estimated", m.estimated() ? 1 : 0, "fraction", AggregationPolicy.AVG));
        // warm-up iterations are measured (their results JMH discards) but not logged
        if (log != null && (iterationType == null || iterationType.equals("measurement")))
            appendLog(m, ops, jPerOp, jPerTok, benchmark, iterationType);
        return out;
    }

    private void appendLog(EnergyMeasurement m, long ops, double jPerOp, double jPerTok, String benchmark, String iterationType) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("window", benchmark == null ? "jmh-iteration" : benchmark);
        j.put("iteration", iterationType);
        j.put("meter", m.meter());
        j.put("device", m.device());
        j.put("boundary", m.boundary());
        j.put("basis", m.basis());
        j.put("basis_detail", m.basisDetail());
        j.put("duration_s", m.durationS());
        j.put("energy_j", m.energyJ());
        j.put("avg_power_w", m.avgPowerW());
        j.put("idle_power_w", Double.isNaN(m.idlePowerW()) ? null : m.idlePowerW());
        j.put("energy_above_idle_j", Double.isNaN(m.energyAboveIdleJ()) ? null : m.energyAboveIdleJ());
        j.put("samples", m.samples());
        j.put("ops", ops);
        j.put("j_per_op", Double.isNaN(jPerOp) ? null : jPerOp);
        j.put("j_per_token", Double.isNaN(jPerTok) ? null : jPerTok);
        j.put("valid", m.valid());
        j.put("reasons", m.reasons());
        j.put("selection", selection == null ? null : selection.describe());
        try {
            Files.writeString(log, new ObjectMapper().writeValueAsString(j) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println(String.format(Locale.ROOT, "EnergyProfiler: cannot append to %s: %s", log, e.getMessage()));
        }
    }
}
