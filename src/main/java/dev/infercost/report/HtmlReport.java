package dev.infercost.report;

import dev.infercost.hardware.Catalog;

import dev.infercost.results.CsvTable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.results.ResultSchemas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the self-contained {@code report.html} from one or more result folders (one per machine or run):
 * engine benchmarks, serving curves, energy, cost, revenue share and provenance. Tables from several
 * folders are concatenated with {@code machine} and {@code run} columns; charts prefix series with the
 * machine when there is more than one folder. A section whose input file is absent everywhere says so.
 * All text is HTML-escaped; charts are PNGs embedded as base64; no network, no JavaScript.
 */
public final class HtmlReport {
    /** One input folder with the labels its rows get. */
    public record Source(String machine, String run, Path dir, Path shownAs, JsonNode manifest) { }

    private final List<Source> sources;
    private final StringBuilder body = new StringBuilder();
    private final List<String[]> toc = new ArrayList<>();
    private final Set<String> warned = new LinkedHashSet<>();

    public HtmlReport(List<Path> dirs) { this(dirs, dirs); }

    /** {@code shownAs}: how each folder is named on the page (e.g. its final name while it is still being staged). */
    public HtmlReport(List<Path> dirs, List<Path> shownAs) {
        List<Source> s = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) s.add(source(dirs.get(i), shownAs.get(i)));
        this.sources = s;
    }

    static Source source(Path dir, Path shownAs) {
        JsonNode m = null;
        Path mf = dir.resolve("manifest.json");
        if (Files.isRegularFile(mf)) {
            try {
                m = new ObjectMapper().readTree(mf.toFile());
            } catch (IOException e) {
                m = null;
            }
        }
        Path shown = shownAs.toAbsolutePath().normalize();
        String folder = shown.getFileName() == null ? shown.toString() : shown.getFileName().toString();
        String machine = m != null && m.path("machine").has("hostname") ? m.path("machine").path("hostname").asText() : folder;
        String run = m != null && m.has("run_id") ? m.get("run_id").asText() : folder;
        return new Source(machine, run, dir, shown, m);
    }

    private boolean multi() { return sources.size() > 1; }

    private String prefix(Map<String, String> r) { return multi() ? r.get("machine") + " · " : ""; }

    /** Rows of {@code file} from every source, with machine and run columns added first. */
    List<Map<String, String>> rows(String file) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Source s : sources) {
            Path f = s.dir().resolve(file);
            if (!Files.isRegularFile(f)) continue;
            List<Map<String, String>> read;
            try {
                read = CsvTable.read(f);
            } catch (dev.infercost.BadInputException | java.io.UncheckedIOException e) {
                // CsvTable.read lets Commons CSV's UncheckedIOException (e.g. an unterminated quote) through as well
                if (warned.add(f.toString()))
                    body.append("<p class=\"absent\">").append(Html.esc("could not read " + f + ": " + e.getMessage() + "; its rows are left out")).append("</p>\n");
                continue;
            }
            for (Map<String, String> r : read) {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("machine", s.machine());
                m.put("run", s.run());
                m.putAll(r);
                out.add(m);
            }
        }
        return out;
    }

    static double num(Map<String, String> r, String col) {
        String v = r.get(col);
        if (v == null || v.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The whole page. */
    public String render() {
        atAGlance();
        engine();
        serving();
        energy();
        cost();
        revenue();
        provenance();
        StringBuilder b = new StringBuilder(body.length() + 8000);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>infercost report</title>\n<style>\n").append(CSS).append("</style></head><body>\n");
        b.append("<header><h1>infercost report</h1><p class=\"meta\">generated ").append(Html.esc(Instant.now().toString())).append(" from ")
                .append(sources.size()).append(sources.size() == 1 ? " result folder" : " result folders").append("</p>\n");
        List<List<String>> rs = new ArrayList<>();
        for (Source s : sources) rs.add(List.of(s.machine(), s.run(), s.shownAs().toString(), files(s)));
        b.append(Html.table(List.of("machine", "run", "folder", "tables found"), rs, null));
        b.append("<nav><ol>");
        for (String[] t : toc) b.append("<li><a href=\"#").append(t[0]).append("\">").append(Html.esc(t[1])).append("</a></li>");
        b.append("</ol></nav></header>\n<main>\n").append(body).append("</main>\n<footer>Estimated values (energy without a counter, projected chips, assumed inputs) are labelled as such. ")
                .append("Generated by infercost; all charts are embedded images.</footer>\n</body></html>\n");
        return b.toString();
    }

    private static String files(Source s) {
        List<String> have = new ArrayList<>();
        for (String f : List.of(ResultSchemas.ENGINE_BENCH, ResultSchemas.SERVING, ResultSchemas.ENERGY, ResultSchemas.COST, "revenue.csv",
                "sensitivity.csv", "manifest.json"))
            if (Files.isRegularFile(s.dir().resolve(f))) have.add(f);
        return have.isEmpty() ? "none" : String.join(", ", have);
    }

    private void section(String id, String title, String intro) {
        toc.add(new String[]{id, title});
        body.append("<section id=\"").append(id).append("\"><h2>").append(Html.esc(title)).append("</h2>\n");
        if (intro != null) body.append("<p class=\"intro\">").append(Html.esc(intro)).append("</p>\n");
    }

    private void end() { body.append("</section>\n"); }

    private void absent(String file, String what) {
        body.append("<p class=\"absent\">").append(Html.esc(file + " is absent from " + (multi() ? "every input folder" : "this result folder")
                + ": " + what)).append("</p>\n");
    }

    private void table(List<Map<String, String>> rows, List<String> cols, String classCol) {
        List<String> have = new ArrayList<>();
        for (String c : cols) if (rows.stream().anyMatch(r -> r.containsKey(c))) have.add(c);
        if (!multi()) { have.remove("machine"); have.remove("run"); }
        List<List<String>> cells = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (Map<String, String> r : rows) {
            List<String> row = new ArrayList<>();
            for (String c : have) row.add(display(c, r.getOrDefault(c, "")));
            cells.add(row);
            classes.add(classCol == null ? "" : r.getOrDefault(classCol, "").replaceAll("[^A-Za-z0-9_-]", ""));
        }
        body.append(Html.table(have, cells, classes));
    }

    /** Money columns as $1.23B, fractions named margin/take_rate/share as percentages; the rest raw (formatted by Html.cell). */
    static String display(String col, String raw) {
        if (raw == null || raw.isBlank()) return "";
        double d;
        try {
            d = Double.parseDouble(raw);
        } catch (NumberFormatException e) {
            return raw;
        }
        if (col.endsWith("[$]")) return usd(d);
        if (col.endsWith("[query]")) return count(d);
        if (col.equals("margin") || col.endsWith("_margin") || col.startsWith("provider_margin") || col.startsWith("cloud_margin") && !col.contains("[pp]")
                || col.equals("take_rate") || col.equals("custom_silicon_share"))
            return col.contains("[pp]") ? raw : String.format(Locale.ROOT, "%.1f%%", 100 * d);
        return raw;
    }

    static String count(double v) {
        double a = Math.abs(v);
        if (a >= 1e12) return String.format(Locale.ROOT, "%.3gT", v / 1e12);
        if (a >= 1e9) return String.format(Locale.ROOT, "%.3gB", v / 1e9);
        if (a >= 1e6) return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String usd(double v) {
        double a = Math.abs(v);
        String s = v < 0 ? "-" : "";
        if (a >= 1e9) return String.format(Locale.ROOT, "%s$%.2fB", s, a / 1e9);
        if (a >= 1e6) return String.format(Locale.ROOT, "%s$%.1fM", s, a / 1e6);
        return String.format(Locale.ROOT, "%s$%.4g", s, a);
    }

    // ---------------------------------------------------------------- sections

    /** The bottom lines first: cheapest $/query per chip and profile, and the revenue-share key figures. */
    private void atAGlance() {
        List<Map<String, String>> cost = rows(ResultSchemas.COST);
        List<Map<String, String>> key = rows("revenue_summary.csv");
        if (cost.isEmpty() && key.isEmpty()) return;
        section("glance", "At a glance", null);
        body.append("<ul class=\"glance\">\n");
        Map<String, Map<String, String>> best = new TreeMap<>();
        for (Map<String, String> r : cost) {
            String k = prefix(r) + r.get("profile") + "\u0000" + r.get("chip");
            Map<String, String> b = best.get(k);
            if (b == null || num(r, "usd_per_query [$/query]") < num(b, "usd_per_query [$/query]")) best.put(k, r);
        }
        Map<String, List<String>> byProfile = new LinkedHashMap<>();
        List<Map.Entry<String, Map<String, String>>> ordered = new ArrayList<>(best.entrySet());
        ordered.sort(Comparator.comparing((Map.Entry<String, Map<String, String>> e) -> e.getKey().split("\u0000")[0])
                .thenComparingDouble(e -> num(e.getValue(), "usd_per_query [$/query]")));
        for (var e : ordered) {
            Map<String, String> r = e.getValue();
            byProfile.computeIfAbsent(prefix(r) + r.get("profile") + " (" + r.get("profile_isl [tok]") + "/" + r.get("profile_osl [tok]") + " tok)", x -> new ArrayList<>())
                    .add(String.format(Locale.ROOT, "%s $%.6f (%s, %s)", r.get("chip"), num(r, "usd_per_query [$/query]"), r.get("tier"), r.get("provenance")));
        }
        for (var e : byProfile.entrySet())
            body.append("<li>").append(Html.esc("$/query, " + e.getKey() + ", cheapest first: " + String.join("; ", e.getValue()))).append("</li>\n");
        Map<String, Map<String, String>> k = new LinkedHashMap<>();
        for (Map<String, String> r : key) k.put(prefix(r) + r.get("metric"), r);
        for (Source src : sources) {
            String p = multi() ? src.machine() + " · " : "";
            if (!k.containsKey(p + "provider margin")) continue;
            java.util.function.Function<String, Double> v = m -> k.containsKey(p + m) ? num(k.get(p + m), "value") : Double.NaN;
            String be = Double.isNaN(v.apply("break-even take rate (no cap)")) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v.apply("break-even take rate (no cap)"));
            body.append("<li>").append(Html.esc(String.format(Locale.ROOT,
                    "%sRevenue share over the horizon: provider margin %.1f%%, cloud margin %.1f%%; revenue share paid %s of %s due; "
                            + "provider break-even flat take rate %s (no cap); custom silicon saves the cloud %s at its schedule, %s if all volume moved; "
                            + "Monte Carlo provider margin p5-p95 %.1f%% to %.1f%%.",
                    p, 100 * v.apply("provider margin"), 100 * v.apply("cloud margin"), usd(v.apply("revenue share paid")),
                    usd(v.apply("revenue share due (no cap)")), be, usd(v.apply("custom silicon gain (schedule)")),
                    usd(v.apply("custom silicon gain (all volume)")), 100 * v.apply("provider margin p5"), 100 * v.apply("provider margin p95"))))
                    .append("</li>\n");
        }
        body.append("</ul>\n");
        end();
    }

    private void engine() {
        section("engine", "Engine throughput and MBU", "JMH engine benchmarks per backend: aggregate tok/s over the batch (error = JMH 99.9% CI half-width) "
                + "and memory-bandwidth utilisation (MBU = bytes moved per step / step time / peak bandwidth).");
        List<Map<String, String>> rows = rows(ResultSchemas.ENGINE_BENCH);
        if (rows.isEmpty()) { absent(ResultSchemas.ENGINE_BENCH, "no engine benchmarks to show."); end(); return; }
        Map<String, Map<String, Double>> tput = new LinkedHashMap<>(), mbu = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            String series = prefix(r) + r.get("backend") + " · " + r.get("model") + " (" + r.get("dtype") + ")";
            String cat = r.get("phase") + " b=" + r.get("batch_size") + ("prefill".equals(r.get("phase")) ? " isl=" + r.get("isl [tok]") : "");
            tput.computeIfAbsent(series, k -> new LinkedHashMap<>()).put(cat, num(r, "throughput [tok/s]"));
            mbu.computeIfAbsent(series, k -> new LinkedHashMap<>()).put(cat, num(r, "mbu"));
        }
        body.append(Charts.bars("Engine throughput", "phase / batch", "throughput [tok/s]", tput, false, "engine throughput per backend"));
        body.append(Charts.bars("Memory-bandwidth utilisation (MBU)", "phase / batch", "MBU [fraction of peak]", mbu, false, "MBU per backend"));
        table(rows, List.of("machine", "run", "backend", "device", "device_class", "model", "weights", "dtype", "phase", "batch_size", "isl [tok]",
                "context [tok]", "threads", "throughput [tok/s]", "throughput_error [tok/s]", "throughput_per_seq [tok/s/user]", "seq_throughput [seq/s]",
                "step_time [ms]", "mbu", "mfu", "peak_basis", "energy_per_token [J/tok]", "energy_basis", "energy_valid", "accuracy_verdict"), "accuracy_verdict");
        end();
    }

    private void serving() {
        section("serving", "Serving: throughput per device vs tok/s/user", "Open-loop load sweeps: each point is one rate or concurrency; "
                + "latency is measured from the scheduled send time. Up and to the right is better; the curve shows the price of interactivity.");
        List<Map<String, String>> rows = rows(ResultSchemas.SERVING);
        if (rows.isEmpty()) { absent(ResultSchemas.SERVING, "no serving sweeps to show."); end(); return; }
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (Map<String, String> r : rows)
            curves.computeIfAbsent(prefix(r) + r.get("backend") + " · " + r.get("model") + " · " + r.get("scenario"), k -> new ArrayList<>())
                    .add(new double[]{num(r, "tok_per_s_per_user [tok/s/user]"), num(r, "throughput_per_device [tok/s/device]")});
        body.append(Charts.lines("Throughput per device vs interactivity", "tok/s/user", "throughput [tok/s/device]", curves, Set.of(), null, null,
                "throughput per device versus tok/s/user"));
        table(rows, List.of("machine", "run", "backend", "device", "model", "weights", "scenario", "target_rate [req/s]", "concurrency",
                "achieved_rate [req/s]", "mean_isl [tok]", "mean_osl [tok]", "ttft_p50 [ms]", "ttft_p99 [ms]", "tpot_p50 [ms]", "tpot_p99 [ms]",
                "e2e_p99 [ms]", "throughput_per_device [tok/s/device]", "tok_per_s_per_user [tok/s/user]", "goodput [req/s]", "slo_attainment",
                "energy_per_query [Wh/query]", "energy_basis", "energy_valid", "valid", "invalid_reasons"), "valid");
        end();
    }

    private void energy() {
        section("energy", "Energy per token", "Energy from a cumulative counter where one exists (NVML, RAPL), otherwise an estimate labelled 'estimated'. "
                + "Invalid windows (too short, counter wrapped, ...) are flagged with their reasons; the boundary says what was metered.");
        List<Map<String, String>> eng = rows(ResultSchemas.ENGINE_BENCH);
        Map<String, Map<String, Double>> ept = new LinkedHashMap<>();
        for (Map<String, String> r : eng) {
            double v = num(r, "energy_per_token [J/tok]");
            if (Double.isNaN(v)) continue;
            String series = prefix(r) + r.get("backend") + " (" + r.get("energy_basis") + ", " + r.get("energy_boundary")
                    + ("true".equals(r.get("energy_valid")) ? "" : ", INVALID") + ")";
            ept.computeIfAbsent(series, k -> new LinkedHashMap<>()).put(r.get("phase") + " b=" + r.get("batch_size")
                    + ("prefill".equals(r.get("phase")) ? " isl=" + r.get("isl [tok]") : ""), v);
        }
        if (!ept.isEmpty()) body.append(Charts.bars("Energy per token (engine benchmarks)", "phase / batch", "energy [J/tok]", ept, false, "energy per token"));
        List<Map<String, String>> rows = rows(ResultSchemas.ENERGY);
        if (rows.isEmpty()) absent(ResultSchemas.ENERGY, "no energy windows recorded" + (ept.isEmpty() ? "." : "; the chart above uses the energy columns of engine_bench.csv."));
        else {
            for (Map<String, String> r : rows) r.put("validity", "true".equals(r.get("valid")) ? "valid" : "invalid");
            table(rows, List.of("machine", "run", "window", "meter", "device", "boundary", "basis", "basis_detail", "duration [s]", "energy [J]",
                    "avg_power [W]", "idle_power [W]", "energy_above_idle [J]", "samples", "valid", "reasons"), "validity");
        }
        end();
    }

    private void cost() {
        section("cost", "Procurement: cost per token and per query by chip", "$/M tokens = $/hour / (tok/s x 3600) x 1e6; input and output tokens are costed "
                + "by the device time each phase takes. Rows for the measured device are 'measured'; every other chip is 'projected' from it by spec-sheet "
                + "ratios (shaded, italic, dashed in charts).");
        List<Map<String, String>> rows = rows(ResultSchemas.COST);
        if (rows.isEmpty()) { absent(ResultSchemas.COST, "no cost table (run `infercost cost` on a results folder)."); end(); return; }
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        Set<String> dashed = new LinkedHashSet<>();
        Set<String> seenPoint = new LinkedHashSet<>();
        Map<String, Map<String, Double>> perQuery = new LinkedHashMap<>();
        Map<String, Double> cheapest = new TreeMap<>();
        // One series per chip (and machine/provenance): its cheapest price tier, so the charts stay readable with a
        // whole catalog; every tier stays in the table below.
        Map<String, String> bestTier = new LinkedHashMap<>();
        Map<String, Double> bestCost = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            String chip = prefix(r) + r.get("chip") + "|" + r.get("provenance");
            double c = num(r, "usd_per_m_output [$/M tok]");
            if (!Double.isNaN(c) && c < bestCost.getOrDefault(chip, Double.POSITIVE_INFINITY)) { bestCost.put(chip, c); bestTier.put(chip, r.get("tier")); }
        }
        for (Map<String, String> r : rows) {
            if (!r.get("tier").equals(bestTier.get(prefix(r) + r.get("chip") + "|" + r.get("provenance")))) continue;
            String series = prefix(r) + r.get("chip") + " · " + r.get("tier") + " (" + r.get("provenance") + ")";
            if ("projected".equals(r.get("provenance"))) dashed.add(series);
            if (seenPoint.add(series + "|" + r.get("operating_point")))
                curves.computeIfAbsent(series, k -> new ArrayList<>()).add(new double[]{num(r, "tok_per_s_per_user [tok/s/user]"), num(r, "usd_per_m_output [$/M tok]")});
            String key = series + "\u0000" + r.get("profile");
            double q = num(r, "usd_per_query [$/query]");
            if (!Double.isNaN(q) && q < cheapest.getOrDefault(key, Double.POSITIVE_INFINITY)) cheapest.put(key, q);
        }
        for (var e : cheapest.entrySet()) {
            String[] k = e.getKey().split("\u0000");
            perQuery.computeIfAbsent(k[0], x -> new LinkedHashMap<>()).put(k[1], e.getValue());
        }
        body.append(Charts.lines("Cost curves: $/M output tokens vs tok/s/user (each chip at its cheapest tier)", "tok/s/user", "$/M output tokens", curves, dashed, null, null,
                "cost per million output tokens versus interactivity per chip"));
        body.append(Charts.bars("$/query by profile (cheapest operating point)", "query profile", "$/query", perQuery, false, "cost per query per chip"));
        table(rows, List.of("machine", "run", "chip", "silicon", "provenance", "tier", "operating_point", "model", "weights", "usd_per_hour [$/h]",
                "power [W]", "power_basis", "decode_throughput [tok/s]", "tok_per_s_per_user [tok/s/user]", "usd_per_m_input [$/M tok]",
                "usd_per_m_output [$/M tok]", "profile", "profile_isl [tok]", "profile_osl [tok]", "usd_per_query [$/query]", "wh_per_query [Wh/query]",
                "basis", "overridden"), "provenance");
        end();
    }

    private void revenue() {
        section("revenue", "Revenue share: both parties' P&L", "The model provider pays the cloud a share of its revenue (under the cumulative cap where "
                + "one applies) and buys compute from it at a markup; the cloud serves the volume on Nvidia or its own silicon. Provider margin is after "
                + "revenue share and inference compute only (no training, staff or other costs).");
        List<Map<String, String>> rows = rows("revenue.csv");
        if (rows.isEmpty()) { absent("revenue.csv", "no revenue-share scenario was run (`infercost revenue`)."); end(); return; }
        List<Map<String, String>> key = rows("revenue_summary.csv");
        if (!key.isEmpty()) {
            body.append("<h3>Key figures</h3>\n");
            for (Map<String, String> r : key) {
                String u = r.getOrDefault("unit", "");
                double v = num(r, "value");
                if (!Double.isNaN(v) && u.equals("$")) r.put("value", usd(v));
                else if (!Double.isNaN(v) && u.equals("fraction")) r.put("value", String.format(Locale.ROOT, "%.1f%%", 100 * v));
                else if (!Double.isNaN(v) && u.equals("$/query")) r.put("value", String.format(Locale.ROOT, "$%.5f", v));
                if (u.equals("$") || u.equals("fraction")) r.put("unit", "");
            }
            table(key, List.of("machine", "metric", "value", "unit", "note"), null);
        }
        Map<String, Map<String, Double>> pnl = new LinkedHashMap<>(), mg = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            if ("total".equals(r.get("year"))) continue;
            String p = prefix(r);
            String y = r.get("year");
            if ("provider".equals(r.get("party"))) {
                put(pnl, p + "provider revenue", y, num(r, "revenue [$]") / 1e9);
                put(pnl, p + "revenue share paid", y, num(r, "revenue_share [$]") / 1e9);
                put(pnl, p + "compute bought", y, num(r, "compute [$]") / 1e9);
                put(pnl, p + "provider profit", y, num(r, "profit [$]") / 1e9);
                put(mg, p + "provider margin", y, 100 * num(r, "margin"));
            } else {
                put(pnl, p + "cloud profit", y, num(r, "profit [$]") / 1e9);
                put(mg, p + "cloud margin", y, 100 * num(r, "margin"));
            }
        }
        body.append(Charts.bars("P&L per year", "year", "USD bn", pnl, false, "profit and loss per year"));
        body.append(Charts.bars("Margins per year", "year", "margin [%]", mg, false, "margins per year"));
        table(rows, List.of("machine", "run", "scenario", "year", "party", "queries [query]", "revenue [$]", "take_rate", "revenue_share_due [$]",
                "revenue_share [$]", "cap_binds", "cap_remaining [$]", "compute [$]", "cost_of_serving [$]", "custom_silicon_share",
                "custom_silicon_gain [$]", "profit [$]", "margin"), "party");

        body.append("<h3>Break-even take rate</h3>\n");
        List<Map<String, String>> curve = rows("take_rate_curve.csv");
        if (curve.isEmpty()) absent("take_rate_curve.csv", "no take-rate curve.");
        else {
            Map<String, List<double[]>> lines = new LinkedHashMap<>();
            Double be = null;
            Map<String, String> prev = null;
            for (Map<String, String> r : curve) {
                String p = prefix(r);
                double t = 100 * num(r, "take_rate");
                lines.computeIfAbsent(p + "provider (no cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * num(r, "provider_margin_uncapped")});
                lines.computeIfAbsent(p + "provider (with cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * num(r, "provider_margin_capped")});
                lines.computeIfAbsent(p + "cloud (no cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * num(r, "cloud_margin_uncapped")});
                lines.computeIfAbsent(p + "cloud (with cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * num(r, "cloud_margin_capped")});
                if (be == null && prev != null && prev.get("machine").equals(r.get("machine"))) {
                    double m0 = num(prev, "provider_margin_uncapped"), m1 = num(r, "provider_margin_uncapped");
                    if (m0 > 0 && m1 <= 0) be = 100 * (num(prev, "take_rate") + (num(r, "take_rate") - num(prev, "take_rate")) * m0 / (m0 - m1));
                }
                prev = r;
            }
            Set<String> dashed = new LinkedHashSet<>();
            for (String k : lines.keySet()) if (k.endsWith("(with cap)")) dashed.add(k);
            body.append(Charts.lines("Margin over the horizon vs a flat take rate", "take rate [%]", "margin [%]", lines, dashed, be,
                    be == null ? null : String.format(Locale.ROOT, " provider break-even %.1f%% (no cap)", be), "margin versus take rate"));
            body.append("<p>").append(Html.esc(be == null
                    ? "The provider's uncapped margin stays above zero over the plotted take rates (0-50%)."
                    : String.format(Locale.ROOT, "Without a cap the provider breaks even at a flat take rate of %.2f%%%s. With the cap (dashed) payments stop growing once "
                    + "the cap is reached, so the provider's margin flattens.", be, multi() ? " (first folder)" : ""))).append("</p>\n");
        }

        body.append("<h3>Sensitivity</h3>\n");
        List<Map<String, String>> sens = rows("sensitivity.csv");
        if (sens.isEmpty()) absent("sensitivity.csv", "no sensitivity analysis.");
        else {
            Map<String, Map<String, Double>> tp = new LinkedHashMap<>(), tc = new LinkedHashMap<>();
            List<Map<String, String>> mc = new ArrayList<>(), oat = new ArrayList<>();
            for (Map<String, String> r : sens) {
                if ("monte-carlo".equals(r.get("method"))) { mc.add(r); continue; }
                oat.add(r);
                String in = prefix(r) + r.get("input") + " x" + Html.cell(r.get("multiplier [x base]"));
                String series = r.get("setting");
                put(tp, series, prefix(r) + r.get("input"), num(r, "provider_margin_change [pp]"));
                put(tc, series, prefix(r) + r.get("input"), num(r, "cloud_margin_change [pp]"));
            }
            body.append(Charts.bars("Tornado: provider margin change", "input (low / high multiplier)", "change in provider margin [pp]", tp, true, "tornado provider"));
            body.append(Charts.bars("Tornado: cloud margin change", "input (low / high multiplier)", "change in cloud margin [pp]", tc, true, "tornado cloud"));
            table(oat, List.of("machine", "run", "input", "setting", "multiplier [x base]", "provider_margin", "cloud_margin", "provider_margin_change [pp]",
                    "cloud_margin_change [pp]", "provider_profit [$]", "cloud_profit [$]", "basis"), null);
            if (!mc.isEmpty()) {
                body.append("<h3>Monte Carlo</h3>\n<p>").append(Html.esc(mc.get(0).getOrDefault("basis", "")
                        + ". Every input drawn from a triangular distribution (low, base, high) of its stated range.")).append("</p>\n");
                table(mc, List.of("machine", "run", "setting", "provider_margin", "cloud_margin", "provider_profit [$]", "cloud_profit [$]"), null);
            }
        }
        body.append("<h3>Inputs and their sources</h3>\n");
        List<Map<String, String>> inputs = rows("revenue_inputs.csv");
        if (inputs.isEmpty()) absent("revenue_inputs.csv", "no input list.");
        else table(inputs, List.of("machine", "input", "value", "unit", "confidence", "source", "source_date", "note"), "confidence");
        end();
    }

    private static void put(Map<String, Map<String, Double>> m, String series, String cat, double v) {
        m.computeIfAbsent(series, k -> new LinkedHashMap<>()).put(cat, v);
    }

    private void provenance() {
        section("provenance", "Provenance", "Where every input came from: each run's manifest (machine, JVM, libraries, git commit, command line) "
                + "and the catalog sources cited by the cost and revenue tables.");
        for (Source s : sources) {
            body.append("<h3>").append(Html.esc(s.machine() + " · " + s.run())).append("</h3>\n");
            if (s.manifest() == null) {
                absent("manifest.json", "this folder does not say how it was produced.");
                continue;
            }
            List<List<String>> kv = new ArrayList<>();
            flatten("", s.manifest(), kv);
            body.append(Html.table(List.of("field", "value"), kv, null));
        }
        Map<String, String> cited = new TreeMap<>();
        for (Map<String, String> r : rows(ResultSchemas.COST)) {
            String src = r.getOrDefault("sources", "");
            if (!src.isBlank()) cited.put(src, "cost.csv: " + r.get("chip") + " / " + r.get("tier") + " (" + r.get("provenance") + ")");
        }
        for (Map<String, String> r : rows(ResultSchemas.ENGINE_BENCH)) {
            String src = r.getOrDefault("peak_basis", "");
            if (!src.isBlank()) cited.put(src, "engine_bench.csv peak figures: " + r.get("device_class"));
        }
        for (Map<String, String> r : rows("revenue_inputs.csv")) {
            String src = r.getOrDefault("source", "");
            if (!src.isBlank()) cited.merge(src, "revenue input: " + r.get("input") + " (" + r.get("confidence") + ")", (a, b) -> a.length() > 300 ? a : a + "; " + b);
        }
        body.append("<h3>Catalog sources cited</h3>\n");
        if (cited.isEmpty()) body.append("<p class=\"absent\">No catalog sources are cited by the tables present.</p>\n");
        else {
            List<List<String>> rs = new ArrayList<>();
            for (var e : cited.entrySet()) rs.add(List.of(e.getKey(), e.getValue()));
            rs.sort(Comparator.comparing(l -> l.get(0)));
            body.append(Html.table(List.of("source", "used for"), rs, null));
        }
        end();
    }

    private static void flatten(String prefix, JsonNode n, List<List<String>> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode x : n) parts.add(x.isValueNode() ? x.asText() : x.toString());
            out.add(List.of(prefix, String.join(" ", parts)));
        } else {
            out.add(List.of(prefix, n.asText()));
        }
    }

    static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d1d1f;background:#fff}
            header,main,footer{max-width:1320px;margin:0 auto;padding:0 24px}
            h1{margin:18px 0 4px}h2{border-bottom:2px solid #2b5797;padding-bottom:4px;margin-top:34px}
            .meta,.intro{color:#555}ul.glance li{margin:4px 0}.absent{background:#fff4e5;border-left:4px solid #f0a030;padding:8px 12px}
            nav ol{columns:3;padding-left:22px}
            .tw{overflow-x:auto;margin:10px 0 18px}
            table{border-collapse:collapse;font-size:12px}
            th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;white-space:nowrap}
            th{background:#eef2f8;white-space:normal;min-width:48px}
            td.long{white-space:normal;min-width:260px;max-width:460px}
            tr.measured td{background:#eaf6ea;font-weight:600}
            tr.projected td{background:#f4f4f4;font-style:italic;color:#555}
            tr.invalid td,tr.fail td,tr.false td{background:#fdecec}
            tr.assumed td{background:#fffbe6}
            tr.cloud td{background:#f3f7fc}
            img.chart{display:block;max-width:100%;height:auto;margin:12px 0;border:1px solid #e4e4e4}
            footer{color:#777;font-size:12px;margin:30px auto;border-top:1px solid #ddd;padding-top:8px}
            """;
}
