package dev.infercost.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.results.Column;
import dev.infercost.results.CostColumn;
import dev.infercost.results.CostCurveColumn;
import dev.infercost.results.EnergyColumn;
import dev.infercost.results.EngineBenchColumn;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.Row;
import dev.infercost.results.ServingColumn;
import dev.infercost.report.ReportColumns.CostBand;
import dev.infercost.results.CostBandColumn;
import dev.infercost.results.DealComparisonColumn;
import dev.infercost.results.RevenueColumn;
import dev.infercost.results.RevenueInputColumn;
import dev.infercost.results.RevenueSummaryColumn;
import dev.infercost.results.SensitivityColumn;
import dev.infercost.results.TakeRateCurveColumn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds the self-contained {@code report.html} from one or more result folders, decision first:
 * <ol>
 *   <li>the headline: for one named model, precision and interactivity target, $/M output tokens and $/query per
 *       chip within ONE price tier, with the low/high band, measured rows apart from projected ones, and the
 *       custom-silicon vs Nvidia ratio with its band;</li>
 *   <li>cost curves ($/M output vs tok/s/user, one line per chip, direct labels, projected dashed);</li>
 *   <li>measurement detail (engine throughput with error bars, serving latency vs load with SLO lines and invalid
 *       points marked, energy with validity);</li>
 *   <li>revenue share; any table the report has no view for; provenance.</li>
 * </ol>
 * Long tables sit in {@code <details>} and are sortable and filterable by a small inline script. Charts are inline
 * SVG ({@link Svg}); the page loads nothing from the network. All text is HTML-escaped. Tables are read through
 * their column contracts ({@link Row#get(Column)}); a table that cannot be read is named and left out.
 */
public final class HtmlReport {
    /** One input folder with the labels its rows get. */
    public record Source(String machine, String run, Path dir, Path shownAs, JsonNode manifest) { }

    /** What the headline compares: nulls mean "choose from the data" (see {@link #headline()}). */
    public record Options(String tier, String profile, Double targetTokPerSUser) {
        public static final Options DEFAULT = new Options(null, null, null);
    }

    /** A row with the folder it came from. */
    record R(Source src, Row row) {
        String get(Column c) { return row.get(c); }
        double num(Column c) { return ReportColumns.num(row, c); }
    }

    /** Files with a dedicated view; everything else ending in .csv goes to "Other tables". */
    static final Set<String> KNOWN = Set.of(ResultSchemas.ENGINE_BENCH, ResultSchemas.SERVING, ResultSchemas.ENERGY, ResultSchemas.COST_CURVE_TABLE.file(),
            ResultSchemas.REVENUE_TABLE.file(), ResultSchemas.REVENUE_SUMMARY_TABLE.file(), ResultSchemas.TAKE_RATE_CURVE_TABLE.file(),
            ResultSchemas.SENSITIVITY_TABLE.file(), ResultSchemas.REVENUE_INPUTS_TABLE.file(), ResultSchemas.DEAL_COMPARISON_TABLE.file());
    static final Pattern COST_FILE = Pattern.compile("cost(?:-(\\d+))?\\.csv"), UNCOSTED_FILE = Pattern.compile("cost_uncosted(?:-(\\d+))?\\.csv");

    private final List<Source> sources;
    private final Options opts;
    private final StringBuilder body = new StringBuilder();
    private final List<String[]> toc = new ArrayList<>();
    private final Set<String> warned = new LinkedHashSet<>();
    private final Set<String> shownFiles = new HashSet<>();
    private final List<Map<String, String>> headlineRows = new ArrayList<>();

    /**
     * The headline table as rows (after {@link #render()}): chip, silicon, provenance, tier, model, profile,
     * interactivity target, $/query and $/M output with their bands ("" when the cost table has none), for
     * {@code report --format}.
     */
    public List<Map<String, String>> headlineRows() { return headlineRows; }

    public HtmlReport(List<Path> dirs) { this(dirs, dirs, Options.DEFAULT); }

    public HtmlReport(List<Path> dirs, List<Path> shownAs) { this(dirs, shownAs, Options.DEFAULT); }

    /** {@code shownAs}: how each folder is named on the page (e.g. its final name while it is still being staged). */
    public HtmlReport(List<Path> dirs, List<Path> shownAs, Options opts) {
        List<Source> s = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) s.add(source(dirs.get(i), shownAs.get(i)));
        this.sources = s;
        this.opts = opts == null ? Options.DEFAULT : opts;
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

    private String prefix(R r) { return multi() ? r.src().machine() + " · " : ""; }

    /**
     * The newest cost table of a folder: cost.csv, or cost-N.csv with the highest N (the cost stage never
     * overwrites, so a rerun writes cost-2.csv). @return its file name, or null when the folder has none
     */
    static String newestCostTable(Path dir) { return newest(dir, COST_FILE); }

    private static String newest(Path dir, Pattern p) {
        String best = null;
        int bestN = -1;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (!m.matches()) continue;
                int n = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
                if (n > bestN) { bestN = n; best = f.getFileName().toString(); }
            }
        } catch (IOException e) {
            return null;
        }
        return best;
    }

    /** Rows of {@code file} from every source (a table that cannot be read is named on the page and left out). */
    List<R> rows(String file) {
        List<R> out = new ArrayList<>();
        for (Source s : sources) out.addAll(rows(s, file));
        return out;
    }

    private List<R> rows(Source s, String file) {
        List<R> out = new ArrayList<>();
        if (file == null) return out;
        Path f = s.dir().resolve(file);
        if (!Files.isRegularFile(f)) return out;
        shownFiles.add(s.dir() + "/" + file);
        try {
            for (Row r : Row.readAll(f)) out.add(new R(s, r));
        } catch (dev.infercost.BadInputException | java.io.UncheckedIOException e) {
            if (warned.add(f.toString()))
                body.append("<p class=\"absent\">").append(Html.esc("could not read " + f + ": " + e.getMessage() + "; its rows are left out")).append("</p>\n");
        }
        return out;
    }

    /** Rows of each folder's newest cost table plus its uncosted companion (rows missing a price or a throughput). */
    List<R> costRows() {
        List<R> out = new ArrayList<>();
        for (Source s : sources) {
            out.addAll(rows(s, newestCostTable(s.dir())));
            out.addAll(rows(s, newest(s.dir(), UNCOSTED_FILE)));
        }
        return out;
    }

    /** The whole page. */
    public String render() {
        headline();
        curves();
        engine();
        serving();
        energy();
        costDetail();
        revenue();
        other();
        provenance();
        StringBuilder b = new StringBuilder(body.length() + 8000);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>infercost report</title>\n<style>\n").append(CSS).append(Svg.CSS)
                .append("</style></head><body>\n");
        b.append("<header><h1>infercost report</h1><p class=\"meta\">generated ").append(Html.esc(Instant.now().toString())).append(" from ");
        List<String> names = new ArrayList<>();
        for (Source s : sources) names.add(s.machine() + " · " + s.run());
        b.append(sources.size()).append(sources.size() == 1 ? " result folder: " : " result folders: ").append(Html.esc(String.join("; ", names))).append("</p>\n<nav>");
        for (String[] t : toc) b.append("<a href=\"#").append(t[0]).append("\">").append(Html.esc(t[1])).append("</a> ");
        b.append("</nav></header>\n<main>\n").append(body).append("</main>\n<footer>Estimated values (energy without a counter, projected chips, assumed inputs) are labelled as such. ")
                .append("Generated by infercost; one self-contained file: inline SVG charts, a small inline script for sorting and filtering tables, nothing loaded from the network.</footer>\n")
                .append("<script>\n").append(SCRIPT).append("</script>\n</body></html>\n");
        return b.toString();
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

    /**
     * Every column of the rows' tables in file order (machine and run first when several folders), in a
     * collapsible, sortable, filterable table. {@code classOf} gives each row's CSS class (measured, projected, invalid ...).
     */
    private void table(String summary, List<R> all, java.util.function.Function<R, String> classOf, boolean open) {
        // a table longer than MAX_TABLE_ROWS (e.g. cost_curve.csv's thousands of sweep points) is sampled evenly, so
        // every chip or series still appears and the page stays a few MB; the whole table is in the CSV and results.json
        int stride = all.size() <= MAX_TABLE_ROWS ? 1 : (all.size() + MAX_TABLE_ROWS - 1) / MAX_TABLE_ROWS;
        List<R> rows = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) rows.add(all.get(i));
        String count = stride == 1 ? " (" + all.size() + (all.size() == 1 ? " row)" : " rows)")
                : String.format(Locale.ROOT, " (%d rows; every %s row shown, %d in all; the whole table is in the CSV and results.json)",
                        all.size(), ordinal(stride), rows.size());
        LinkedHashSet<String> cols = new LinkedHashSet<>();
        if (multi()) { cols.add("machine"); cols.add("run"); }
        for (R r : rows) cols.addAll(r.row().values().keySet());
        List<List<String[]>> cells = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (R r : rows) {
            List<String[]> row = new ArrayList<>();
            for (String c : cols) {
                String raw = c.equals("machine") && multi() ? r.src().machine() : c.equals("run") && multi() ? r.src().run() : r.row().values().getOrDefault(c, "");
                row.add(new String[]{display(c, raw), raw});
            }
            cells.add(row);
            classes.add(classOf == null ? "" : classOf.apply(r).replaceAll("[^A-Za-z0-9_ -]", ""));
        }
        body.append("<details").append(open ? " open" : "").append("><summary>").append(Html.esc(summary + count))
                .append("</summary>\n").append(Html.sortable(new ArrayList<>(cols), cells, classes)).append("</details>\n");
    }

    /** Rows a collapsible table shows at most; longer tables are sampled evenly (every k-th row). */
    static final int MAX_TABLE_ROWS = 500;

    /** 2 -> "2nd", 3 -> "3rd", 11 -> "11th", 21 -> "21st". */
    static String ordinal(int n) {
        int m100 = n % 100, m10 = n % 10;
        String suf = m100 >= 11 && m100 <= 13 ? "th" : m10 == 1 ? "st" : m10 == 2 ? "nd" : m10 == 3 ? "rd" : "th";
        return n + suf;
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

    /** A price with 3 significant digits, "n/a" for NaN. */
    static String money(double v) {
        if (!Double.isFinite(v)) return "n/a";
        return "$" + Svg.num(v);
    }

    // ---------------------------------------------------------------- the decision

    /** What the headline settled on, for the curves section. */
    private String hModel, hTier, hProfile;
    private Double hTarget;

    private static boolean measured(String provenance) { return provenance != null && provenance.startsWith("measured"); }

    private static final Pattern TARGET = Pattern.compile("target\\s+([0-9.]+)\\s*tok/s/user");
    private static final Pattern PRECISION = Pattern.compile("\\b(bf16|fp16|fp8|fp4|int8|int4|f32|fp32|f16|q8_0)\\b", Pattern.CASE_INSENSITIVE);

    /**
     * The first screen. Chosen from the newest cost table unless {@link Options} name them: the profile (first in
     * the table), the model (most rows), the price tier (covering the most chips; ties: the measured chip's), and
     * the interactivity target (an operating point named "target X tok/s/user", else none: each chip at its
     * cheapest operating point). Per chip the cheapest row meeting the target; the ratio compares the cheapest
     * custom chip with the cheapest Nvidia chip, its band from the two bands taken at opposite ends
     * (custom low / Nvidia high .. custom high / Nvidia low).
     */
    private void headline() {
        List<R> priced = costRows().stream().filter(r -> Double.isFinite(r.num(CostColumn.USD_PER_M_OUTPUT)) || Double.isFinite(r.num(CostColumn.USD_PER_QUERY))).toList();
        // a measured point flagged noisy (JMH error above its mean) is kept out of every derived figure (cost --allow-noisy)
        List<R> all = priced.stream().filter(r -> !"true".equalsIgnoreCase(r.get(CostColumn.NOISY).trim())).toList();
        Set<String> noisyChips = new LinkedHashSet<>();
        for (R r : priced) if ("true".equalsIgnoreCase(r.get(CostColumn.NOISY).trim())) noisyChips.add(r.get(CostColumn.CHIP));
        section("decision", "What a query costs, chip by chip", null);
        if (!noisyChips.isEmpty())
            body.append("<p class=\"note\">").append(Html.esc("Not ranked: the measured point(s) of " + String.join(", ", noisyChips)
                    + " are noisy (JMH 99.9% error above the mean) and were kept out of cost.csv; measure longer (run without --quick)"
                    + " or price them anyway with `infercost cost RUN --allow-noisy`.")).append("</p>\n");
        // issue 17: rows priced although their accuracy gate failed are only there under --price-failed-accuracy; say so first
        Set<String> failedChips = new LinkedHashSet<>();
        for (R r : all) if (!r.get(CostColumn.ACCURACY_OVERRIDE).isBlank()) failedChips.add(r.get(CostColumn.CHIP));
        if (!failedChips.isEmpty())
            body.append("<p class=\"note\">").append(Html.esc("ACCURACY FAILED: the measured point(s) of " + String.join(", ", failedChips)
                    + " failed the accuracy gate (wrong or non-finite logits) and are priced only because of --price-failed-accuracy.")).append("</p>\n");
        if (all.isEmpty()) {
            absent(ResultSchemas.COST, "no cost table with prices (run `infercost cost RESULTS_DIR`), so no chip comparison can be made.");
            end();
            return;
        }
        List<String> profiles = all.stream().map(r -> r.get(CostColumn.PROFILE)).distinct().toList();
        String profile = opts.profile() != null ? opts.profile() : profiles.get(0);
        List<R> rows = all.stream().filter(r -> r.get(CostColumn.PROFILE).equals(profile)).toList();
        if (rows.isEmpty()) {
            absent(ResultSchemas.COST, "no rows for profile '" + profile + "' (profiles present: " + String.join(", ", profiles) + ").");
            end();
            return;
        }
        Map<String, Long> models = new LinkedHashMap<>();
        for (R r : rows) models.merge(r.get(CostColumn.MODEL), 1L, Long::sum);
        String model = models.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        List<R> mrows = rows.stream().filter(r -> r.get(CostColumn.MODEL).equals(model)).toList();
        Map<String, Set<String>> chipsPerTier = new LinkedHashMap<>();
        Set<String> measuredTiers = new HashSet<>();
        for (R r : mrows) {
            chipsPerTier.computeIfAbsent(r.get(CostColumn.TIER), k -> new LinkedHashSet<>()).add(r.get(CostColumn.CHIP));
            if (measured(r.get(CostColumn.PROVENANCE))) measuredTiers.add(r.get(CostColumn.TIER));
        }
        String tier = opts.tier() != null ? opts.tier() : chipsPerTier.entrySet().stream()
                .max(Comparator.comparingInt((Map.Entry<String, Set<String>> e) -> e.getValue().size())
                        .thenComparing(e -> measuredTiers.contains(e.getKey()))).get().getKey();
        Double target = opts.targetTokPerSUser();
        if (target == null) {
            Map<String, Long> named = new TreeMap<>();
            for (R r : mrows) {
                Matcher m = TARGET.matcher(r.get(CostColumn.OPERATING_POINT));
                if (m.find()) named.merge(m.group(1), 1L, Long::sum);
            }
            if (!named.isEmpty()) target = Double.parseDouble(named.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey());
        }
        if (target == null) {
            // the cost stage's interactivity target (cost --target-tok-s-user), the value most rows were costed at
            Map<Double, Long> targets = new TreeMap<>();
            for (R r : mrows) {
                double t = r.num(CostColumn.INTERACTIVITY_TARGET);
                if (Double.isFinite(t) && t > 0) targets.merge(t, 1L, Long::sum);
            }
            if (!targets.isEmpty()) target = targets.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        }
        hModel = model; hTier = tier; hProfile = profile; hTarget = target;
        List<R> trows = mrows.stream().filter(r -> r.get(CostColumn.TIER).equals(tier)).toList();
        // one row per chip (and provenance, machine): the cheapest that meets the target
        Map<String, R> best = new LinkedHashMap<>();
        Map<String, Double> bestTokS = new HashMap<>();
        for (R r : trows) {
            String key = prefix(r) + r.get(CostColumn.CHIP) + "|" + r.get(CostColumn.PROVENANCE);
            double tps = r.num(CostColumn.TOK_PER_S_PER_USER);
            bestTokS.merge(key, Double.isFinite(tps) ? tps : 0, Math::max);
            if (target != null && !(tps >= target * 0.999)) { best.putIfAbsent(key, null); continue; }
            R b = best.get(key);
            if (b == null || cheaper(r, b)) best.put(key, r);
        }
        String precision = precision(trows, model);
        R first = trows.get(0);
        String isl = first.get(CostColumn.PROFILE_ISL), osl = first.get(CostColumn.PROFILE_OSL);
        String weights = first.get(CostColumn.WEIGHTS);
        body.append("<p class=\"question\">").append(Html.esc(String.format(Locale.ROOT,
                "A %s query (ISL %s / OSL %s tokens) of %s%s, precision %s, %s, priced at tier %s:",
                profile, isl, osl, model, weights.isBlank() || weights.startsWith("n/a") ? "" : " (" + weights + " weights)", precision,
                target == null ? "each chip at its cheapest operating point (no interactivity target in the cost table)"
                        : String.format(Locale.ROOT, "at an interactivity target of at least %s tok/s/user", Svg.num(target)),
                tier))).append("</p>\n");
        List<Map.Entry<String, R>> ordered = new ArrayList<>(best.entrySet());
        ordered.sort(Comparator.comparingDouble((Map.Entry<String, R> e) -> e.getValue() == null ? Double.POSITIVE_INFINITY : sortKey(e.getValue())));
        boolean anyBand = trows.stream().anyMatch(r -> ReportColumns.has(r.row(), CostBandColumn.USD_PER_QUERY_LOW) || ReportColumns.has(r.row(), CostBandColumn.USD_PER_M_OUT_LOW)
                || ReportColumns.has(r.row(), CostBand.USD_PER_M_OUTPUT_LOW));
        StringBuilder t = new StringBuilder("<div class=\"tw\"><table class=\"headline\" id=\"headline\"><thead><tr><th>#</th><th>chip</th><th>silicon</th><th>provenance</th>"
                + "<th>$/query</th><th>$/query band (low – high)</th><th>$/M output tok</th><th>$/M output band</th><th>tok/s/user</th><th>$/h</th><th>confidence</th><th>operating point</th></tr></thead><tbody>\n");
        int i = 0;
        R bestCustom = null, bestNvidia = null;
        for (var e : ordered) {
            R r = e.getValue();
            String[] key = e.getKey().split("\\|");
            if (r == null) {
                t.append("<tr class=\"miss\"><td></td><td>").append(Html.esc(key[0])).append("</td><td></td><td>").append(Html.esc(key.length > 1 ? key[1] : ""))
                        .append("</td><td colspan=\"8\">").append(Html.esc(String.format(Locale.ROOT, "misses the target: at most %s tok/s/user at this tier",
                                Svg.num(bestTokS.getOrDefault(e.getKey(), 0.0))))).append("</td></tr>\n");
                continue;
            }
            String prov = r.get(CostColumn.PROVENANCE);
            String sil = r.get(CostColumn.SILICON);
            if ("custom".equals(sil) && bestCustom == null) bestCustom = r;
            if ("nvidia".equals(sil) && bestNvidia == null) bestNvidia = r;
            double q = r.num(CostColumn.USD_PER_QUERY), m = r.num(CostColumn.USD_PER_M_OUTPUT);
            Map<String, String> hr = new LinkedHashMap<>();
            hr.put("rank", String.valueOf(i + 1));
            if (multi()) hr.put("machine", r.src().machine());
            hr.put(CostColumn.CHIP.header(), r.get(CostColumn.CHIP));
            hr.put(CostColumn.SILICON.header(), sil);
            hr.put(CostColumn.PROVENANCE.header(), prov);
            hr.put(CostColumn.TIER.header(), tier);
            hr.put(CostColumn.MODEL.header(), model);
            hr.put(CostColumn.PROFILE.header(), profile);
            hr.put("interactivity_target [tok/s/user]", target == null ? "" : Svg.num(target));
            hr.put(CostColumn.USD_PER_QUERY.header(), r.get(CostColumn.USD_PER_QUERY));
            hr.put(CostBandColumn.USD_PER_QUERY_LOW.header(), ReportColumns.cell(r.row(), CostBandColumn.USD_PER_QUERY_LOW));
            hr.put(CostBandColumn.USD_PER_QUERY_HIGH.header(), ReportColumns.cell(r.row(), CostBandColumn.USD_PER_QUERY_HIGH));
            hr.put(CostColumn.USD_PER_M_OUTPUT.header(), r.get(CostColumn.USD_PER_M_OUTPUT));
            String lo = ReportColumns.cell(r.row(), CostBandColumn.USD_PER_M_OUT_LOW), hi = ReportColumns.cell(r.row(), CostBandColumn.USD_PER_M_OUT_HIGH);
            if (lo.isBlank()) { lo = ReportColumns.cell(r.row(), CostBand.USD_PER_M_OUTPUT_LOW); hi = ReportColumns.cell(r.row(), CostBand.USD_PER_M_OUTPUT_HIGH); }
            hr.put(CostBandColumn.USD_PER_M_OUT_LOW.header(), lo);
            hr.put(CostBandColumn.USD_PER_M_OUT_HIGH.header(), hi);
            hr.put(CostColumn.TOK_PER_S_PER_USER.header(), r.get(CostColumn.TOK_PER_S_PER_USER));
            hr.put(CostColumn.OPERATING_POINT.header(), r.get(CostColumn.OPERATING_POINT));
            hr.put("confidence", confidence(r));
            headlineRows.add(hr);
            t.append("<tr class=\"").append(measured(prov) ? "measured" : "projected").append("\"><td>").append(++i).append("</td><td class=\"chip\">")
                    .append(Html.esc(prefix(r) + r.get(CostColumn.CHIP))).append("</td><td>").append(Html.esc(sil)).append("</td><td>")
                    .append(Html.esc(prov)).append("</td><td class=\"q\">").append(Html.esc(q4(q))).append("</td><td>").append(Html.esc(band(r, CostBandColumn.USD_PER_QUERY_LOW, CostBandColumn.USD_PER_QUERY_HIGH, null, null, true)))
                    .append("</td><td>").append(Html.esc(money(m))).append("</td><td>")
                    .append(Html.esc(band(r, CostBandColumn.USD_PER_M_OUT_LOW, CostBandColumn.USD_PER_M_OUT_HIGH, CostBand.USD_PER_M_OUTPUT_LOW, CostBand.USD_PER_M_OUTPUT_HIGH, false)))
                    .append("</td><td>").append(Html.esc(Svg.num(r.num(CostColumn.TOK_PER_S_PER_USER)))).append("</td><td>").append(Html.esc(money(r.num(CostColumn.USD_PER_HOUR))))
                    .append("</td><td class=\"conf\">").append(Html.esc(confidence(r))).append("</td><td class=\"op\">").append(Html.esc(r.get(CostColumn.OPERATING_POINT))).append("</td></tr>\n");
        }
        t.append("</tbody></table></div>\n");
        // the answer first: the custom-vs-Nvidia ratio with its band sits above the per-chip table, so it stays on
        // the first screen however many chips the table lists
        body.append("<p class=\"ratio\" id=\"ratio\">").append(Html.esc(ratio(bestCustom, bestNvidia))).append("</p>\n");
        body.append(t);
        List<String> notes = new ArrayList<>();
        notes.add("Measured rows (bold, green) come from this run's measurements; projected rows (italic, grey) are calculated from spec sheets and a calibration, not measured.");
        if (!anyBand) notes.add("Bands show n/a: this cost table has no low/high columns (an older cost stage); treat projected rows as uncertain by tens of percent.");
        if (rows.stream().noneMatch(r -> Double.isFinite(r.num(CostColumn.USD_PER_QUERY))))
            notes.add("$/query is n/a where the run has no prefill measurement, so input tokens could not be costed; $/M output tokens are still comparable.");
        Set<String> otherTiers = new java.util.TreeSet<>(chipsPerTier.keySet());
        otherTiers.remove(tier);
        if (!otherTiers.isEmpty()) notes.add("Other price tiers in the table (see Cost detail): " + String.join(", ", otherTiers) + ".");
        if (models.size() > 1) notes.add("Other models in the table: " + String.join(", ", models.keySet().stream().filter(x -> !x.equals(model)).toList()) + ".");
        if (profiles.size() > 1) notes.add("Other query profiles: " + String.join(", ", profiles.stream().filter(x -> !x.equals(profile)).toList()) + ".");
        for (Source s : sources) {
            String f = newestCostTable(s.dir());
            if (f != null && !f.equals(ResultSchemas.COST)) notes.add((multi() ? s.machine() + ": " : "") + "cost table " + f + " (the newest of several cost tables in the folder).");
            else if (f != null) notes.add((multi() ? s.machine() + ": " : "") + "cost table " + f + ".");
        }
        body.append("<ul class=\"notes\">");
        for (String n : notes) body.append("<li>").append(Html.esc(n)).append("</li>");
        body.append("</ul>\n");
        end();
    }

    private static double sortKey(R r) {
        double q = r.num(CostColumn.USD_PER_QUERY);
        return Double.isFinite(q) ? q : 1e6 + r.num(CostColumn.USD_PER_M_OUTPUT);
    }

    private static boolean cheaper(R a, R b) { return sortKey(a) < sortKey(b); }

    static String q4(double v) {
        if (!Double.isFinite(v)) return "n/a";
        if (v >= 0.01 || v == 0) return String.format(Locale.ROOT, "$%.4f", v);
        int scale = 2 - (int) Math.floor(Math.log10(Math.abs(v))); // 3 significant digits, trailing zeros kept
        return "$" + java.math.BigDecimal.valueOf(v).setScale(scale, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    private static String band(R r, Column lo, Column hi, Column lo2, Column hi2, boolean perQuery) {
        double l = r.num(lo), h = r.num(hi);
        if (!Double.isFinite(l) && lo2 != null) { l = r.num(lo2); h = r.num(hi2); }
        if (!Double.isFinite(l) || !Double.isFinite(h)) return "n/a";
        return perQuery ? q4(l) + " – " + q4(h) : money(l) + " – " + money(h);
    }

    private static double[] bandOf(R r) {
        double v = r.num(CostColumn.USD_PER_QUERY);
        if (Double.isFinite(v)) return new double[]{v, r.num(CostBandColumn.USD_PER_QUERY_LOW), r.num(CostBandColumn.USD_PER_QUERY_HIGH)};
        double lo = r.num(CostBandColumn.USD_PER_M_OUT_LOW), hi = r.num(CostBandColumn.USD_PER_M_OUT_HIGH);
        if (!Double.isFinite(lo)) { lo = r.num(CostBand.USD_PER_M_OUTPUT_LOW); hi = r.num(CostBand.USD_PER_M_OUTPUT_HIGH); }
        return new double[]{r.num(CostColumn.USD_PER_M_OUTPUT), lo, hi};
    }

    /** "Cheapest custom silicon (X) costs 0.62x the cheapest Nvidia chip (Y) per query, band 0.41x – 0.95x." */
    static String ratio(R custom, R nvidia) {
        if (custom == null || nvidia == null)
            return "Custom silicon vs Nvidia: n/a (" + (custom == null ? "no custom chip" : "no Nvidia chip") + " has a price in this tier).";
        boolean perQuery = Double.isFinite(custom.num(CostColumn.USD_PER_QUERY)) && Double.isFinite(nvidia.num(CostColumn.USD_PER_QUERY));
        double[] c = perQuery ? bandOf(custom) : new double[]{custom.num(CostColumn.USD_PER_M_OUTPUT), bandOf(custom)[1], bandOf(custom)[2]};
        double[] n = perQuery ? bandOf(nvidia) : new double[]{nvidia.num(CostColumn.USD_PER_M_OUTPUT), bandOf(nvidia)[1], bandOf(nvidia)[2]};
        if (!perQuery && !Double.isFinite(custom.num(CostColumn.USD_PER_QUERY))) { c = bandOf(custom); n = bandOf(nvidia); }
        double r = c[0] / n[0];
        String band = Double.isFinite(c[1]) && Double.isFinite(n[2]) && Double.isFinite(c[2]) && Double.isFinite(n[1])
                ? String.format(Locale.ROOT, "band %.2fx – %.2fx (custom low / Nvidia high to custom high / Nvidia low)", c[1] / n[2], c[2] / n[1])
                : "band n/a (the cost table has no low/high columns)";
        return String.format(Locale.ROOT, "Custom silicon vs Nvidia: the cheapest custom chip (%s, %s) costs %.2fx the cheapest Nvidia chip (%s, %s) per %s; %s. %s",
                custom.get(CostColumn.CHIP), custom.get(CostColumn.PROVENANCE), r, nvidia.get(CostColumn.CHIP), nvidia.get(CostColumn.PROVENANCE),
                perQuery ? "query" : "million output tokens", band,
                r < 1 ? String.format(Locale.ROOT, "Custom silicon is %.0f%% cheaper.", 100 * (1 - r)) : String.format(Locale.ROOT, "Custom silicon is %.0f%% dearer.", 100 * (r - 1)));
    }

    /** low / medium from the row's own labels: LOW CONFIDENCE prices, assumed inputs, projected provenance. */
    static String confidence(R r) {
        String text = r.get(CostColumn.BASIS) + " " + r.get(CostColumn.ASSUMPTIONS);
        List<String> why = new ArrayList<>();
        if (text.contains("LOW CONFIDENCE")) why.add("price low-confidence");
        if (text.contains("[assumed]")) why.add("assumed inputs");
        if (!measured(r.get(CostColumn.PROVENANCE))) why.add("projected");
        if (text.contains("INVALID")) why.add("invalid energy window");
        if (why.isEmpty()) return "high";
        return (why.size() >= 2 ? "low: " : "medium: ") + String.join(", ", why);
    }

    /** Precision named by the cost table (precision column or a dtype token in its notes), else the engine benchmark's dtype. */
    private String precision(List<R> rows, String model) {
        Map<String, Long> seen = new LinkedHashMap<>();
        for (R r : rows) {
            String p = ReportColumns.cell(r.row(), dev.infercost.results.CostColumn.PRECISION);
            if (p.isBlank()) {
                Matcher m = PRECISION.matcher(r.get(CostColumn.ASSUMPTIONS) + " " + r.get(CostColumn.BASIS));
                if (m.find()) p = m.group(1).toUpperCase(Locale.ROOT);
            }
            if (!p.isBlank()) seen.merge(p, 1L, Long::sum);
        }
        if (seen.isEmpty())
            for (R r : rows(ResultSchemas.ENGINE_BENCH)) if (r.get(EngineBenchColumn.MODEL).equals(model)) seen.merge(r.get(EngineBenchColumn.DTYPE), 1L, Long::sum);
        if (seen.isEmpty()) return "not recorded";
        return String.join(" / ", seen.keySet());
    }

    // ---------------------------------------------------------------- cost curves

    private void curves() {
        section("curves", "Cost curves: $/M output tokens vs tok/s/user", "One line per chip at the headline's tier"
                + (hTier == null ? "" : " (" + hTier + ")") + ": moving right buys interactivity (tok/s per user) at a higher $/M tokens. "
                + "Measured chips are solid lines with filled points; projected chips are dashed with open points. Labels sit at each line's end.");
        List<R> curve = rows(ResultSchemas.COST_CURVE_TABLE.file());
        List<Svg.Series> series = new ArrayList<>(), tput = new ArrayList<>();
        if (!curve.isEmpty()) {
            Map<String, List<double[]>> pts = new LinkedHashMap<>(), tp = new LinkedHashMap<>();
            Map<String, Boolean> proj = new LinkedHashMap<>();
            String model = hModel;
            boolean modelMatches = model != null && curve.stream().anyMatch(r -> r.get(CostCurveColumn.MODEL).equals(model));
            for (R r : curve) {
                if (hTier != null && curve.stream().anyMatch(x -> x.get(CostCurveColumn.TIER).equals(hTier)) && !r.get(CostCurveColumn.TIER).equals(hTier)) continue;
                if (modelMatches && !r.get(CostCurveColumn.MODEL).equals(model)) continue;
                String name = prefix(r) + r.get(CostCurveColumn.CHIP) + (measured(r.get(CostCurveColumn.PROVENANCE)) ? " (" + r.get(CostCurveColumn.PROVENANCE) + ")" : "");
                proj.put(name, !measured(r.get(CostCurveColumn.PROVENANCE)));
                pts.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[]{r.num(CostCurveColumn.TOK_PER_S_PER_USER), r.num(CostCurveColumn.USD_PER_M_OUTPUT)});
                tp.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[]{r.num(CostCurveColumn.TOK_PER_S_PER_USER), r.num(CostCurveColumn.THROUGHPUT_PER_CHIP)});
            }
            for (var e : pts.entrySet()) series.add(new Svg.Series(e.getKey(), e.getValue(), proj.get(e.getKey())));
            for (var e : tp.entrySet()) tput.add(new Svg.Series(e.getKey(), e.getValue(), proj.get(e.getKey())));
            body.append("<p class=\"intro\">").append(Html.esc("From " + ResultSchemas.COST_CURVE_TABLE.file() + (modelMatches ? ", model " + model : "") + ".")).append("</p>\n");
        } else {
            Map<String, List<double[]>> pts = new LinkedHashMap<>();
            Map<String, Boolean> proj = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (R r : costRows()) {
                if (hTier != null && !r.get(CostColumn.TIER).equals(hTier)) continue;
                if (hModel != null && !r.get(CostColumn.MODEL).equals(hModel)) continue;
                if (hProfile != null && !r.get(CostColumn.PROFILE).equals(hProfile)) continue;
                String name = prefix(r) + r.get(CostColumn.CHIP) + (measured(r.get(CostColumn.PROVENANCE)) ? " (measured)" : "");
                if (!seen.add(name + "|" + r.get(CostColumn.OPERATING_POINT))) continue;
                proj.put(name, !measured(r.get(CostColumn.PROVENANCE)));
                pts.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[]{r.num(CostColumn.TOK_PER_S_PER_USER), r.num(CostColumn.USD_PER_M_OUTPUT)});
            }
            for (var e : pts.entrySet()) series.add(new Svg.Series(e.getKey(), e.getValue(), proj.get(e.getKey())));
            body.append("<p class=\"intro\">").append(Html.esc(ResultSchemas.COST_CURVE_TABLE.file() + " is absent, so each chip's points are its operating points in the cost table "
                    + "(one point when the cost stage costed one operating point per chip).")).append("</p>\n");
        }
        if (series.isEmpty()) { absent(ResultSchemas.COST, "no cost rows to draw curves from."); end(); return; }
        List<Svg.Ref> refs = hTarget == null ? List.of() : List.of(new Svg.Ref(false, hTarget, "target " + Svg.num(hTarget) + " tok/s/user"));
        body.append(Svg.lines("$/M output tokens vs tok/s/user" + (hTier == null ? "" : " · tier " + hTier), "tok/s/user (interactivity)", "$/M output tokens",
                series, refs, true, true, "cost per million output tokens versus tok/s/user, one line per chip"));
        if (!tput.isEmpty() && tput.stream().anyMatch(s -> s.points().stream().anyMatch(p -> Double.isFinite(p[1]))))
            body.append(Svg.lines("Throughput per chip vs tok/s/user", "tok/s/user", "throughput [tok/s/chip]", tput, refs, true, true,
                    "throughput per chip versus tok/s/user"));
        end();
    }

    // ---------------------------------------------------------------- measurement detail

    private void engine() {
        section("engine", "Measurement: engine throughput and MBU", "JMH engine benchmarks per backend: aggregate tok/s over the batch with error bars "
                + "(JMH 99.9% CI half-width) and memory-bandwidth utilisation (MBU = bytes moved per step / step time / peak bandwidth).");
        List<R> rows = rows(ResultSchemas.ENGINE_BENCH);
        if (rows.isEmpty()) { absent(ResultSchemas.ENGINE_BENCH, "no engine benchmarks to show."); end(); return; }
        Map<String, Map<String, Double>> tput = new LinkedHashMap<>(), err = new LinkedHashMap<>(), mbu = new LinkedHashMap<>();
        for (R r : rows) {
            String series = prefix(r) + r.get(EngineBenchColumn.BACKEND) + " · " + r.get(EngineBenchColumn.MODEL) + " (" + r.get(EngineBenchColumn.DTYPE) + ")"
                    + ("fail".equals(r.get(EngineBenchColumn.ACCURACY_VERDICT)) ? " accuracy FAIL" : "");
            String cat = category(r);
            put(tput, series, cat, r.num(EngineBenchColumn.THROUGHPUT));
            put(err, series, cat, r.num(EngineBenchColumn.THROUGHPUT_ERROR));
            put(mbu, series, cat, r.num(EngineBenchColumn.MBU));
        }
        List<Svg.Bars> tb = new ArrayList<>(), mb = new ArrayList<>();
        for (String s : tput.keySet()) {
            tb.add(new Svg.Bars(s, tput.get(s), err.get(s), false));
            mb.add(new Svg.Bars(s, mbu.get(s), null, false));
        }
        body.append(Svg.bars("Engine throughput (error bars: JMH 99.9% CI)", "throughput [tok/s]", tb, true, "engine throughput per backend"));
        body.append(Svg.bars("Memory-bandwidth utilisation (MBU)", "MBU [fraction of peak]", mb, true, "MBU per backend"));
        table(ResultSchemas.ENGINE_BENCH, rows, r -> r.get(EngineBenchColumn.ACCURACY_VERDICT), false);
        end();
    }

    private static String category(R r) {
        String phase = r.get(EngineBenchColumn.PHASE);
        return phase + " b=" + r.get(EngineBenchColumn.BATCH_SIZE) + ("prefill".equals(phase) ? " isl=" + r.get(EngineBenchColumn.ISL) : "");
    }

    private void serving() {
        section("serving", "Measurement: serving latency vs load", "Open-loop load sweeps: each point is one rate or concurrency; latency is measured from "
                + "the scheduled send time, so queueing is never hidden. Dashed black lines are the SLO limits; red crosses are invalid points.");
        List<R> rows = rows(ResultSchemas.SERVING);
        if (rows.isEmpty()) { absent(ResultSchemas.SERVING, "no serving sweeps to show."); end(); return; }
        Map<String, List<double[]>> ttft = new LinkedHashMap<>(), tpot = new LinkedHashMap<>(), curve = new LinkedHashMap<>();
        Map<String, Set<Integer>> invalid = new LinkedHashMap<>();
        double sloTtft = Double.NaN, sloTpot = Double.NaN;
        for (R r : rows) {
            String s = prefix(r) + r.get(ServingColumn.BACKEND) + " · " + r.get(ServingColumn.MODEL) + " · " + r.get(ServingColumn.SCENARIO);
            double load = r.num(ServingColumn.ACHIEVED_RATE);
            if (!Double.isFinite(load)) load = r.num(ServingColumn.TARGET_RATE);
            List<double[]> a = ttft.computeIfAbsent(s, k -> new ArrayList<>());
            if (!"true".equalsIgnoreCase(r.get(ServingColumn.VALID))) invalid.computeIfAbsent(s, k -> new HashSet<>()).add(a.size());
            a.add(new double[]{load, r.num(ServingColumn.TTFT_P99)});
            tpot.computeIfAbsent(s, k -> new ArrayList<>()).add(new double[]{load, r.num(ServingColumn.TPOT_P99)});
            curve.computeIfAbsent(s, k -> new ArrayList<>()).add(new double[]{r.num(ServingColumn.TOK_PER_S_PER_USER), r.num(ServingColumn.THROUGHPUT_PER_DEVICE)});
            if (!Double.isFinite(sloTtft)) sloTtft = r.num(ServingColumn.SLO_TTFT);
            if (!Double.isFinite(sloTpot)) sloTpot = r.num(ServingColumn.SLO_TPOT);
        }
        body.append("<div class=\"two\">");
        body.append(Svg.lines("TTFT p99 vs load", "achieved rate [req/s]", "TTFT p99 [ms]", series(ttft, invalid),
                List.of(new Svg.Ref(true, sloTtft, "SLO TTFT " + Svg.num(sloTtft) + " ms")), false, true, "TTFT p99 versus load"));
        body.append(Svg.lines("TPOT p99 vs load", "achieved rate [req/s]", "TPOT p99 [ms]", series(tpot, invalid),
                List.of(new Svg.Ref(true, sloTpot, "SLO TPOT " + Svg.num(sloTpot) + " ms")), false, true, "TPOT p99 versus load"));
        body.append("</div>");
        body.append(Svg.lines("Throughput per device vs tok/s/user", "tok/s/user", "throughput [tok/s/device]", series(curve, invalid), List.of(), true, true,
                "throughput per device versus tok/s/user"));
        table(ResultSchemas.SERVING, rows, r -> "true".equalsIgnoreCase(r.get(ServingColumn.VALID)) ? "" : "invalid", false);
        end();
    }

    private static List<Svg.Series> series(Map<String, List<double[]>> m, Map<String, Set<Integer>> invalid) {
        List<Svg.Series> out = new ArrayList<>();
        for (var e : m.entrySet()) out.add(new Svg.Series(e.getKey(), e.getValue(), false, invalid.getOrDefault(e.getKey(), Set.of())));
        return out;
    }

    private void energy() {
        section("energy", "Measurement: energy per token and its validity", "Energy from a cumulative counter where one exists (NVML, RAPL), otherwise an estimate "
                + "labelled 'estimated' (hatched bars). Invalid windows (too short, counter wrapped, ...) are flagged with their reasons; the boundary says what was metered.");
        List<R> eng = rows(ResultSchemas.ENGINE_BENCH);
        Map<String, Map<String, Double>> ept = new LinkedHashMap<>();
        Map<String, Boolean> est = new LinkedHashMap<>();
        for (R r : eng) {
            double v = r.num(EngineBenchColumn.ENERGY_PER_TOKEN);
            if (!Double.isFinite(v)) continue;
            String series = prefix(r) + r.get(EngineBenchColumn.BACKEND) + " (" + r.get(EngineBenchColumn.ENERGY_BASIS) + ", " + r.get(EngineBenchColumn.ENERGY_BOUNDARY)
                    + ("true".equals(r.get(EngineBenchColumn.ENERGY_VALID)) ? ", valid" : ", INVALID") + ")";
            est.put(series, !r.get(EngineBenchColumn.ENERGY_BASIS).startsWith("measured"));
            put(ept, series, category(r), v);
        }
        if (!ept.isEmpty()) {
            List<Svg.Bars> bs = new ArrayList<>();
            for (var e : ept.entrySet()) bs.add(new Svg.Bars(e.getKey(), e.getValue(), null, est.get(e.getKey())));
            body.append(Svg.bars("Energy per token (engine benchmarks)", "energy [J/tok]", bs, true, "energy per token"));
        }
        List<R> rows = rows(ResultSchemas.ENERGY);
        if (rows.isEmpty()) absent(ResultSchemas.ENERGY, "no energy windows recorded" + (ept.isEmpty() ? "." : "; the chart above uses the energy columns of engine_bench.csv."));
        else {
            long bad = rows.stream().filter(r -> !"true".equals(r.get(EnergyColumn.VALID))).count();
            body.append("<p>").append(Html.esc(rows.size() + " energy windows, " + bad + " invalid" + (bad == 0 ? "." : ": "
                    + String.join("; ", rows.stream().filter(r -> !"true".equals(r.get(EnergyColumn.VALID))).map(r -> r.get(EnergyColumn.WINDOW) + ": " + r.get(EnergyColumn.REASONS)).limit(4).toList())
                    + (bad > 4 ? " ..." : "")))).append("</p>\n");
            table(ResultSchemas.ENERGY, rows, r -> "true".equals(r.get(EnergyColumn.VALID)) ? "valid" : "invalid", false);
        }
        end();
    }

    private void costDetail() {
        section("cost", "Cost detail: every chip, tier and operating point", "$/M tokens = $/hour / (tok/s x 3600) x 1e6; input and output tokens are costed by the device "
                + "time each phase takes. Rows for the measured device are 'measured'; every other chip is 'projected' (shaded, italic).");
        List<R> rows = new ArrayList<>();
        for (Source s : sources) rows.addAll(rows(s, newestCostTable(s.dir())));
        if (rows.isEmpty()) absent(ResultSchemas.COST, "no cost table (run `infercost cost` on a results folder).");
        else table("cost table (newest in each folder)", rows, r -> measured(r.get(CostColumn.PROVENANCE)) ? "measured" : "projected", false);
        List<R> unc = new ArrayList<>();
        for (Source s : sources) unc.addAll(rows(s, newest(s.dir(), UNCOSTED_FILE)));
        if (!unc.isEmpty()) table("rows without a complete price (cost_uncosted)", unc, r -> measured(r.get(CostColumn.PROVENANCE)) ? "measured" : "projected", false);
        List<R> curve = rows(ResultSchemas.COST_CURVE_TABLE.file());
        if (!curve.isEmpty()) table(ResultSchemas.COST_CURVE_TABLE.file(), curve, r -> measured(r.get(CostCurveColumn.PROVENANCE)) ? "measured" : "projected", false);
        end();
    }

    // ---------------------------------------------------------------- revenue

    private void revenue() {
        section("revenue", "Revenue share: both parties' P&L", "The model provider pays the cloud a share of its revenue (under the cumulative cap where "
                + "one applies) and buys compute from it at a markup; the cloud serves the volume on Nvidia or its own silicon. Provider margin is after "
                + "revenue share and inference compute only (no training, staff or other costs).");
        List<R> rows = rows(ResultSchemas.REVENUE_TABLE.file());
        if (rows.isEmpty()) { absent(ResultSchemas.REVENUE_TABLE.file(), "no revenue-share scenario was run (`infercost revenue`)."); end(); return; }
        List<R> key = rows(ResultSchemas.REVENUE_SUMMARY_TABLE.file());
        // the revenue stage fell back to the bundled example cost table: say so first, with its reason
        for (R r : key)
            if ("cost table".equals(r.get(RevenueSummaryColumn.METRIC)) && r.get(RevenueSummaryColumn.VALUE).contains("used because"))
                body.append("<p class=\"note\">").append(Html.esc((multi() ? r.src().machine() + ": " : "") + "Not this run's costs: the revenue model below uses the "
                        + r.get(RevenueSummaryColumn.VALUE).substring(r.get(RevenueSummaryColumn.VALUE).indexOf("bundled")) + ".")).append("</p>\n");
        if (!key.isEmpty()) {
            List<List<String[]>> cells = new ArrayList<>();
            for (R r : key) {
                String u = r.get(RevenueSummaryColumn.UNIT);
                double v = r.num(RevenueSummaryColumn.VALUE);
                String shown = r.get(RevenueSummaryColumn.VALUE);
                if (Double.isFinite(v) && u.equals("$")) shown = usd(v);
                else if (Double.isFinite(v) && u.equals("fraction")) shown = String.format(Locale.ROOT, "%.1f%%", 100 * v);
                else if (Double.isFinite(v) && u.equals("$/query")) shown = String.format(Locale.ROOT, "$%.5f", v);
                List<String[]> row = new ArrayList<>();
                if (multi()) row.add(new String[]{r.src().machine(), r.src().machine()});
                row.add(new String[]{r.get(RevenueSummaryColumn.METRIC), r.get(RevenueSummaryColumn.METRIC)});
                row.add(new String[]{shown, r.get(RevenueSummaryColumn.VALUE)});
                row.add(new String[]{u.equals("$") || u.equals("fraction") ? "" : u, u});
                row.add(new String[]{r.get(RevenueSummaryColumn.NOTE), r.get(RevenueSummaryColumn.NOTE)});
                cells.add(row);
            }
            List<String> hdr = new ArrayList<>(List.of("metric", "value", "unit", "note"));
            if (multi()) hdr.add(0, "machine");
            body.append("<h3>Key figures</h3>\n").append(Html.sortable(hdr, cells, null));
        }
        Map<String, Map<String, Double>> pnl = new LinkedHashMap<>(), mg = new LinkedHashMap<>();
        for (R r : rows) {
            if ("total".equals(r.get(RevenueColumn.YEAR))) continue;
            String p = prefix(r), y = r.get(RevenueColumn.YEAR);
            if ("provider".equals(r.get(RevenueColumn.PARTY))) {
                put(pnl, p + "provider revenue", y, r.num(RevenueColumn.REVENUE) / 1e9);
                put(pnl, p + "revenue share paid", y, r.num(RevenueColumn.REVENUE_SHARE) / 1e9);
                put(pnl, p + "compute bought", y, r.num(RevenueColumn.COMPUTE) / 1e9);
                put(pnl, p + "provider profit", y, r.num(RevenueColumn.PROFIT) / 1e9);
                put(mg, p + "provider margin", y, 100 * r.num(RevenueColumn.MARGIN));
            } else {
                put(pnl, p + "cloud profit", y, r.num(RevenueColumn.PROFIT) / 1e9);
                put(mg, p + "cloud margin", y, 100 * r.num(RevenueColumn.MARGIN));
            }
        }
        body.append("<div class=\"two\">").append(Svg.bars("P&L per year", "USD bn", bars(pnl), false, "profit and loss per year"))
                .append(Svg.bars("Margins per year", "margin [%]", bars(mg), false, "margins per year")).append("</div>");
        pvTotals(rows);
        table(ResultSchemas.REVENUE_TABLE.file(), rows, r -> r.get(RevenueColumn.PARTY), false);
        deals();

        body.append("<h3>Break-even take rate</h3>\n");
        List<R> curve = rows(ResultSchemas.TAKE_RATE_CURVE_TABLE.file());
        if (curve.isEmpty()) absent(ResultSchemas.TAKE_RATE_CURVE_TABLE.file(), "no take-rate curve.");
        else {
            Map<String, List<double[]>> lines = new LinkedHashMap<>();
            Double be = null;
            R prev = null;
            for (R r : curve) {
                String p = prefix(r);
                double t = 100 * r.num(TakeRateCurveColumn.TAKE_RATE);
                lines.computeIfAbsent(p + "provider (no cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * r.num(TakeRateCurveColumn.PROVIDER_MARGIN_UNCAPPED)});
                lines.computeIfAbsent(p + "provider (with cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * r.num(TakeRateCurveColumn.PROVIDER_MARGIN_CAPPED)});
                lines.computeIfAbsent(p + "cloud (no cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * r.num(TakeRateCurveColumn.CLOUD_MARGIN_UNCAPPED)});
                lines.computeIfAbsent(p + "cloud (with cap)", k -> new ArrayList<>()).add(new double[]{t, 100 * r.num(TakeRateCurveColumn.CLOUD_MARGIN_CAPPED)});
                if (be == null && prev != null && prev.src() == r.src()) {
                    double m0 = prev.num(TakeRateCurveColumn.PROVIDER_MARGIN_UNCAPPED), m1 = r.num(TakeRateCurveColumn.PROVIDER_MARGIN_UNCAPPED);
                    if (m0 > 0 && m1 <= 0) be = 100 * (prev.num(TakeRateCurveColumn.TAKE_RATE) + (r.num(TakeRateCurveColumn.TAKE_RATE) - prev.num(TakeRateCurveColumn.TAKE_RATE)) * m0 / (m0 - m1));
                }
                prev = r;
            }
            List<Svg.Series> ls = new ArrayList<>();
            for (var e : lines.entrySet()) ls.add(new Svg.Series(e.getKey(), e.getValue(), e.getKey().endsWith("(with cap)")));
            List<Svg.Ref> refs = be == null ? List.of() : List.of(new Svg.Ref(false, be, String.format(Locale.ROOT, "provider break-even %.1f%% (no cap)", be)));
            body.append(Svg.lines("Margin over the horizon vs a flat take rate (with cap: dashed)", "take rate [%]", "margin [%]", ls, refs, false, false, "margin versus take rate"));
            body.append("<p>").append(Html.esc(be == null
                    ? "The provider's uncapped margin stays above zero over the plotted take rates."
                    : String.format(Locale.ROOT, "Without a cap the provider breaks even at a flat take rate of %.2f%%%s. With the cap (dashed) payments stop growing once "
                    + "the cap is reached, so the provider's margin flattens.", be, multi() ? " (first folder)" : ""))).append("</p>\n");
        }

        body.append("<h3>Sensitivity</h3>\n");
        List<R> sens = rows(ResultSchemas.SENSITIVITY_TABLE.file());
        if (sens.isEmpty()) absent(ResultSchemas.SENSITIVITY_TABLE.file(), "no sensitivity analysis.");
        else {
            Map<String, Map<String, Double>> tp = new LinkedHashMap<>(), tc = new LinkedHashMap<>();
            List<R> mc = new ArrayList<>(), oat = new ArrayList<>();
            for (R r : sens) {
                if ("monte-carlo".equals(r.get(SensitivityColumn.METHOD))) { mc.add(r); continue; }
                oat.add(r);
                put(tp, r.get(SensitivityColumn.SETTING), prefix(r) + r.get(SensitivityColumn.INPUT), r.num(SensitivityColumn.PROVIDER_MARGIN_CHANGE));
                put(tc, r.get(SensitivityColumn.SETTING), prefix(r) + r.get(SensitivityColumn.INPUT), r.num(SensitivityColumn.CLOUD_MARGIN_CHANGE));
            }
            body.append("<div class=\"two\">").append(Svg.bars("Provider margin change per input (low / high setting)", "change in provider margin [pp]", bars(tp), false, "tornado provider"))
                    .append(Svg.bars("Cloud margin change per input (low / high setting)", "change in cloud margin [pp]", bars(tc), false, "tornado cloud")).append("</div>");
            table("sensitivity.csv: one input at a time", oat, null, false);
            if (!mc.isEmpty()) {
                body.append("<p>").append(Html.esc(mc.get(0).get(SensitivityColumn.BASIS) + ". Every input drawn from a triangular distribution (low, base, high) of its stated range."))
                        .append("</p>\n");
                table("sensitivity.csv: Monte Carlo", mc, null, false);
            }
        }
        List<R> inputs = rows(ResultSchemas.REVENUE_INPUTS_TABLE.file());
        if (inputs.isEmpty()) absent(ResultSchemas.REVENUE_INPUTS_TABLE.file(), "no input list.");
        else table("revenue inputs and their sources", inputs, r -> r.get(RevenueInputColumn.CONFIDENCE), false);
        end();
    }

    /**
     * Horizon totals of revenue.csv's "total" rows, nominal beside present value (profit_pv, economic_profit_pv: each
     * year discounted by its discount_factor), one row per deal and party.
     */
    private void pvTotals(List<R> rows) {
        List<R> totals = rows.stream().filter(r -> "total".equals(r.get(RevenueColumn.YEAR))).toList();
        if (totals.isEmpty()) return;
        double lastFactor = Double.NaN;
        for (R r : rows) if (Double.isFinite(r.num(RevenueColumn.DISCOUNT_FACTOR))) lastFactor = r.num(RevenueColumn.DISCOUNT_FACTOR);
        body.append("<h3>Horizon totals: nominal and present value</h3>\n<p>").append(Html.esc("Profit summed over the horizon as paid, and "
                + "discounted to the first year (each year's profit times its discount_factor"
                + (Double.isFinite(lastFactor) ? String.format(Locale.ROOT, "; the last year's factor is %.3f", lastFactor) : "") + ")."))
                .append("</p>\n");
        List<String> hdr = new ArrayList<>(List.of("deal", "party", "profit (nominal)", "profit (PV)", "economic profit (nominal)", "economic profit (PV)"));
        if (multi()) hdr.add(0, "machine");
        List<List<String[]>> cells = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        for (R r : totals) {
            List<String[]> row = new ArrayList<>();
            if (multi()) row.add(new String[]{r.src().machine(), r.src().machine()});
            row.add(new String[]{r.get(RevenueColumn.DEAL), r.get(RevenueColumn.DEAL)});
            row.add(new String[]{r.get(RevenueColumn.PARTY), r.get(RevenueColumn.PARTY)});
            for (RevenueColumn c : List.of(RevenueColumn.PROFIT, RevenueColumn.PROFIT_PV, RevenueColumn.ECONOMIC_PROFIT, RevenueColumn.ECONOMIC_PROFIT_PV)) {
                double v = r.num(c);
                row.add(new String[]{Double.isFinite(v) ? usd(v) : "n/a", ReportColumns.cell(r.row(), c)});
            }
            cells.add(row);
            classes.add(r.get(RevenueColumn.PARTY).replaceAll("[^A-Za-z0-9_ -]", ""));
        }
        body.append(Html.sortable(hdr, cells, classes));
    }

    /**
     * deal_comparison.csv: each deal's horizon profit per party, nominal ("total" rows) and present value ("pv" rows),
     * and its change against the reference deal; a bar chart of the PV profit per deal and the whole table.
     */
    private void deals() {
        List<R> rows = rows(ResultSchemas.DEAL_COMPARISON_TABLE.file());
        body.append("<h3>Deals compared</h3>\n");
        if (rows.isEmpty()) { absent(ResultSchemas.DEAL_COMPARISON_TABLE.file(), "no deal comparison (a scenario with alternative deals writes one)."); return; }
        String ref = rows.get(0).get(DealComparisonColumn.REFERENCE_DEAL);
        Map<String, Map<String, Double>> pv = new LinkedHashMap<>();
        List<List<String[]>> cells = new ArrayList<>();
        List<String> hdr = new ArrayList<>(List.of("deal", "party", "profit (nominal)", "profit (PV)", "PV change vs " + ref));
        if (multi()) hdr.add(0, "machine");
        Map<String, R> nominal = new LinkedHashMap<>();
        for (R r : rows) if ("total".equals(r.get(DealComparisonColumn.YEAR)))
            nominal.put(r.src().machine() + "|" + r.get(DealComparisonColumn.DEAL) + "|" + r.get(DealComparisonColumn.PARTY), r);
        for (R r : rows) {
            if (!"pv".equals(r.get(DealComparisonColumn.YEAR))) continue;
            String deal = r.get(DealComparisonColumn.DEAL), party = r.get(DealComparisonColumn.PARTY);
            put(pv, prefix(r) + party, deal, r.num(DealComparisonColumn.PROFIT));
            R n = nominal.get(r.src().machine() + "|" + deal + "|" + party);
            List<String[]> row = new ArrayList<>();
            if (multi()) row.add(new String[]{r.src().machine(), r.src().machine()});
            row.add(new String[]{deal, deal});
            row.add(new String[]{party, party});
            double nom = n == null ? Double.NaN : n.num(DealComparisonColumn.PROFIT);
            row.add(new String[]{Double.isFinite(nom) ? usd(nom) : "n/a", n == null ? "" : n.get(DealComparisonColumn.PROFIT)});
            row.add(new String[]{usd(r.num(DealComparisonColumn.PROFIT)), r.get(DealComparisonColumn.PROFIT)});
            row.add(new String[]{usd(r.num(DealComparisonColumn.PROFIT_CHANGE)), r.get(DealComparisonColumn.PROFIT_CHANGE)});
            cells.add(row);
        }
        body.append("<p>").append(Html.esc("Every deal of the scenario priced with the same volumes and cost table; the reference deal is "
                + ref + ". PV = present value at the scenario's discount rate.")).append("</p>\n");
        if (!pv.isEmpty()) {
            double max = 0;
            for (Map<String, Double> m : pv.values()) for (double v : m.values()) if (Double.isFinite(v)) max = Math.max(max, Math.abs(v));
            double scale = max >= 1e9 ? 1e9 : 1e6;
            for (Map<String, Double> m : pv.values()) m.replaceAll((k, v) -> v / scale);
            body.append(Svg.bars("Horizon profit per deal, present value", scale == 1e9 ? "USD bn (PV)" : "USD M (PV)", bars(pv), false, "profit per deal present value"));
        }
        body.append(Html.sortable(hdr, cells, null));
        table(ResultSchemas.DEAL_COMPARISON_TABLE.file(), rows, r -> r.get(DealComparisonColumn.PARTY), false);
    }

    private static List<Svg.Bars> bars(Map<String, Map<String, Double>> m) {
        List<Svg.Bars> out = new ArrayList<>();
        for (var e : m.entrySet()) out.add(new Svg.Bars(e.getKey(), e.getValue(), null, false));
        return out;
    }

    private static void put(Map<String, Map<String, Double>> m, String series, String cat, double v) {
        m.computeIfAbsent(series, k -> new LinkedHashMap<>()).put(cat, v);
    }

    // ---------------------------------------------------------------- the rest

    /** Tables the report has no dedicated view for (e.g. deal comparisons, verify.csv, older cost tables): shown whole, never dropped silently. */
    private void other() {
        Map<Source, List<String>> extra = new LinkedHashMap<>();
        for (Source s : sources) {
            try (Stream<Path> st = Files.list(s.dir())) {
                for (Path f : st.sorted().toList()) {
                    String n = f.getFileName().toString();
                    if (!n.endsWith(".csv") || KNOWN.contains(n) || shownFiles.contains(s.dir() + "/" + n)) continue;
                    extra.computeIfAbsent(s, k -> new ArrayList<>()).add(n);
                }
            } catch (IOException e) {
                // folder vanished: nothing to list
            }
        }
        if (extra.isEmpty()) return;
        section("other", "Other tables", "Tables this report has no dedicated view for (for example deal comparisons, a verify run, older cost tables "
                + "superseded by a newer one); shown as they are.");
        for (var e : extra.entrySet())
            for (String n : e.getValue()) {
                List<R> rows = rows(e.getKey(), n);
                table((multi() ? e.getKey().machine() + " · " : "") + n, rows, null, false);
            }
        end();
    }

    private void provenance() {
        section("provenance", "Provenance", "Where every input came from: each folder, its manifest (machine, JVM, libraries, git commit, command line) "
                + "and the catalog sources cited by the cost and revenue tables.");
        List<List<String>> fs = new ArrayList<>();
        for (Source s : sources) fs.add(List.of(s.machine(), s.run(), s.shownAs().toString(), files(s)));
        body.append(Html.table(List.of("machine", "run", "folder", "files"), fs, null));
        for (Source s : sources) {
            if (s.manifest() == null) {
                absent("manifest.json", (multi() ? s.machine() + ": " : "") + "this folder does not say how it was produced.");
                continue;
            }
            List<List<String[]>> kv = new ArrayList<>();
            List<List<String>> flat = new ArrayList<>();
            flatten("", s.manifest(), flat);
            for (List<String> l : flat) kv.add(List.of(new String[]{l.get(0), l.get(0)}, new String[]{l.get(1), l.get(1)}));
            body.append("<details><summary>").append(Html.esc("manifest.json of " + s.machine() + " · " + s.run() + " (" + kv.size() + " fields)")).append("</summary>\n")
                    .append(Html.sortable(List.of("field", "value"), kv, null)).append("</details>\n");
        }
        Map<String, String> cited = new TreeMap<>();
        for (R r : costRows()) {
            String src = r.get(CostColumn.SOURCES);
            if (!src.isBlank()) cited.put(src, "cost: " + r.get(CostColumn.CHIP) + " / " + r.get(CostColumn.TIER) + " (" + r.get(CostColumn.PROVENANCE) + ")");
        }
        for (R r : rows(ResultSchemas.ENGINE_BENCH)) {
            String src = r.get(EngineBenchColumn.PEAK_BASIS);
            if (!src.isBlank()) cited.put(src, "engine_bench.csv peak figures: " + r.get(EngineBenchColumn.DEVICE_CLASS));
        }
        for (R r : rows(ResultSchemas.REVENUE_INPUTS_TABLE.file())) {
            String src = r.get(RevenueInputColumn.SOURCE);
            if (!src.isBlank()) cited.merge(src, "revenue input: " + r.get(RevenueInputColumn.INPUT) + " (" + r.get(RevenueInputColumn.CONFIDENCE) + ")", (a, b) -> a.length() > 300 ? a : a + "; " + b);
        }
        if (cited.isEmpty()) body.append("<p class=\"absent\">No catalog sources are cited by the tables present.</p>\n");
        else {
            List<List<String[]>> rs = new ArrayList<>();
            for (var e : cited.entrySet()) rs.add(List.of(new String[]{e.getKey(), e.getKey()}, new String[]{e.getValue(), e.getValue()}));
            body.append("<details><summary>").append(Html.esc("Catalog sources cited (" + rs.size() + ")")).append("</summary>\n")
                    .append(Html.sortable(List.of("source", "used for"), rs, null)).append("</details>\n");
        }
        end();
    }

    private static String files(Source s) {
        List<String> have = new ArrayList<>();
        try (Stream<Path> st = Files.list(s.dir())) {
            for (Path f : st.sorted().toList()) if (Files.isRegularFile(f)) have.add(f.getFileName().toString());
        } catch (IOException e) {
            return "unreadable";
        }
        return have.isEmpty() ? "none" : String.join(", ", have);
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

    /** Click a header to sort (numbers numerically, by the raw value in data-v), type in the box to filter rows. */
    static final String SCRIPT = """
            (function(){
              document.querySelectorAll('table.st').forEach(function(t){
                var box=document.createElement('input');box.type='search';box.className='flt';box.placeholder='filter rows';
                t.parentNode.insertBefore(box,t);
                box.addEventListener('input',function(){var q=box.value.toLowerCase();
                  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});
                Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.title='click to sort';th.addEventListener('click',function(){
                  var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows),asc=th.getAttribute('data-dir')!=='asc';th.setAttribute('data-dir',asc?'asc':'desc');
                  rs.sort(function(a,c){var x=a.cells[i].getAttribute('data-v'),y=c.cells[i].getAttribute('data-v');var nx=parseFloat(x),ny=parseFloat(y);
                    var d=(!isNaN(nx)&&!isNaN(ny)&&isFinite(x)&&isFinite(y))?nx-ny:String(x).localeCompare(String(y));return asc?d:-d;});
                  rs.forEach(function(r){b.appendChild(r);});});});
              });
              document.body.setAttribute('data-ready','1');
            })();
            """;

    static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d1d1f;background:#fff}
            header,main,footer{max-width:1320px;margin:0 auto;padding:0 24px}
            h1{margin:10px 0 2px;font-size:22px}h2{border-bottom:2px solid #2b5797;padding-bottom:3px;margin-top:26px;font-size:19px}
            #decision h2{margin-top:8px}
            .meta,.intro{color:#555;margin:2px 0}.absent{background:#fff4e5;border-left:4px solid #f0a030;padding:8px 12px}
            nav{font-size:13px;margin:2px 0 4px}nav a{margin-right:12px}
            p.question{font-size:16px;margin:6px 0}p.ratio{font-size:16px;font-weight:600;background:#eef4fb;border-left:4px solid #2b5797;padding:6px 10px;margin:6px 0}
            ul.notes{font-size:12.5px;color:#444;margin:4px 0;padding-left:20px}
            .tw{overflow-x:auto;margin:6px 0 12px}
            table{border-collapse:collapse;font-size:12px}
            table.headline{font-size:13.5px}table.headline td.q{font-weight:700}table.headline td.conf,table.headline td.op{white-space:normal;max-width:170px;font-size:12px}table.headline td.chip{white-space:normal;max-width:190px}
            th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;white-space:nowrap}
            th{background:#eef2f8;white-space:normal;min-width:40px}table.st th{cursor:pointer}
            td.long{white-space:normal;min-width:260px;max-width:460px}
            tr.measured td{background:#eaf6ea;font-weight:600}
            tr.projected td{background:#f6f6f6;font-style:italic;color:#444}
            tr.miss td{color:#999}
            tr.invalid td,tr.fail td,tr.false td{background:#fdecec}
            tr.assumed td{background:#fffbe6}
            tr.cloud td{background:#f3f7fc}
            details{margin:6px 0 12px}summary{cursor:pointer;font-weight:600;color:#2b5797}
            input.flt{display:block;margin:6px 0;padding:3px 6px;width:260px}
            .two{display:flex;flex-wrap:wrap;gap:12px}.two figure.chart{flex:1 1 600px}
            footer{color:#777;font-size:12px;margin:30px auto;border-top:1px solid #ddd;padding-top:8px}
            """;
}
