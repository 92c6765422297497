package dev.infercost.revenue;

import dev.infercost.BadInputException;
import dev.infercost.results.ResultSchemas;
import dev.infercost.results.CsvTable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A cost table ({@code cost.csv}, columns {@link ResultSchemas#COST_COLUMNS}) as the revenue model reads it:
 * rows are picked by chip + tier + profile (+ operating point, or the cheapest one).
 */
public final class CostTable {
    /** Illustrative cost table bundled for the default scenario when no --costs file is given (all rows projected). */
    public static final String DEFAULT_RESOURCE = "/dev/infercost/revenue/default-cost.csv";

    /**
     * One cost-table row. Money in USD; powerShare = power_cost_per_hour / usd_per_hour (0 when the tier
     * has no power breakdown, e.g. a cloud price), the part of the cost that scales with PUE x $/kWh.
     */
    public record Row(String runId, String chip, String silicon, String provenance, String tier, String operatingPoint,
                      String model, String profile, double isl, double osl, double usdPerMInput, double usdPerMOutput,
                      double usdPerQuery, double whPerQuery, double powerShare, String basis, String sources) {
        /** "H200 SXM / owner-tco / decode batch=64 / chat (measured)" */
        public String label() { return chip + " / " + tier + " / " + operatingPoint + " / " + profile + " (" + provenance + ")"; }
    }

    private final String origin;
    private final List<Row> rows;

    private CostTable(String origin, List<Row> rows) { this.origin = origin; this.rows = rows; }

    /** Where the table came from (file path or "bundled default ..."). */
    public String origin() { return origin; }

    public List<Row> rows() { return rows; }

    public boolean isBundledDefault() { return origin.startsWith("bundled"); }

    /** The same rows with a longer description of where they came from (e.g. why a fallback was used). */
    public CostTable withOrigin(String newOrigin) { return new CostTable(newOrigin, rows); }

    /** Reads a cost.csv. @throws BadInputException if columns are missing or a number does not parse. */
    public static CostTable read(Path file) {
        if (!Files.isRegularFile(file)) throw new BadInputException(file + ": cost table not found");
        try {
            return new CostTable(file.toString(), parse(CsvTable.read(file), file.toString()));
        } catch (java.io.UncheckedIOException e) {   // Commons CSV reports e.g. an unterminated quote this way
            throw new BadInputException(file + ": malformed CSV: " + e.getMessage(), e);
        }
    }

    /** Several cost tables read as one (e.g. one `infercost cost --profile` run per query profile). */
    public static CostTable read(List<Path> files) {
        if (files.size() == 1) return read(files.get(0));
        List<Row> all = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            all.addAll(read(f).rows());
            names.add(f.toString());
        }
        return new CostTable(String.join(" + ", names), all);
    }

    /** The bundled illustrative table (projected rows, assumed operating points; replace with `infercost cost` output). */
    public static CostTable bundledDefault() {
        try (InputStream in = CostTable.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            Path tmp = Files.createTempFile("infercost-default-cost", ".csv");
            try {
                Files.write(tmp, in.readAllBytes());
                return new CostTable("bundled default cost table " + DEFAULT_RESOURCE + " (illustrative, projected; assumed operating points)",
                        parse(CsvTable.read(tmp), DEFAULT_RESOURCE));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Row> parse(List<Map<String, String>> recs, String file) {
        if (recs.isEmpty()) throw new BadInputException(file + ": cost table has no rows");
        List<String> need = List.of("chip", "tier", "provenance", "operating_point", "profile", "profile_isl [tok]", "profile_osl [tok]",
                "usd_per_m_input [$/M tok]", "usd_per_m_output [$/M tok]", "usd_per_query [$/query]", "usd_per_hour [$/h]");
        for (String c : need)
            if (!recs.get(0).containsKey(c))
                throw new BadInputException(file + ": cost table lacks column '" + c + "' (expected the columns of ResultSchemas.COST_COLUMNS)");
        List<Row> out = new ArrayList<>();
        int line = 1;
        for (Map<String, String> r : recs) {
            line++;
            String where = file + " line " + line;
            double usdH = num(r, "usd_per_hour [$/h]", where, true);
            double powerH = num(r, "power_cost_per_hour [$/h]", where, false);
            double share = usdH > 0 && !Double.isNaN(powerH) ? Math.min(1, powerH / usdH) : 0;
            out.add(new Row(r.getOrDefault("run_id", ""), r.get("chip"), r.getOrDefault("silicon", ""), r.get("provenance"), r.get("tier"),
                    r.get("operating_point"), r.getOrDefault("model", ""), r.get("profile"),
                    num(r, "profile_isl [tok]", where, true), num(r, "profile_osl [tok]", where, true),
                    num(r, "usd_per_m_input [$/M tok]", where, true), num(r, "usd_per_m_output [$/M tok]", where, true),
                    num(r, "usd_per_query [$/query]", where, true), num(r, "wh_per_query [Wh/query]", where, false), share,
                    r.getOrDefault("basis", ""), r.getOrDefault("sources", "")));
        }
        return out;
    }

    private static double num(Map<String, String> r, String col, String where, boolean required) {
        String v = r.get(col);
        if (v == null || v.isBlank()) {
            if (required) throw new BadInputException(where + ": column '" + col + "' is empty; expected a number");
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (required && (d < 0 || Double.isInfinite(d))) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new BadInputException(where + ": column '" + col + "' = '" + v + "' is not a non-negative number");
        }
    }

    /**
     * The row for chip + tier + profile at an operating point ({@code null} or "cheapest" = lowest $/query).
     * @throws BadInputException naming what the table offers when nothing matches
     */
    public Row select(String chip, String tier, String operatingPoint, String profile, String field) {
        List<Row> m = new ArrayList<>();
        for (Row r : rows)
            if (r.chip().equals(chip) && r.tier().equals(tier) && r.profile().equals(profile)) m.add(r);
        if (m.isEmpty()) {
            TreeSet<String> have = new TreeSet<>();
            for (Row r : rows) have.add(r.chip() + " / " + r.tier() + " / " + r.profile());
            throw new BadInputException(field + ": cost table " + origin + " has no row for chip '" + chip + "', tier '" + tier
                    + "', profile '" + profile + "'; it has: " + String.join("; ", have));
        }
        if (operatingPoint == null || operatingPoint.isBlank() || operatingPoint.equals("cheapest"))
            return m.stream().min(Comparator.comparingDouble(Row::usdPerQuery)).orElseThrow();
        for (Row r : m) if (r.operatingPoint().equals(operatingPoint)) return r;
        TreeSet<String> ops = new TreeSet<>();
        for (Row r : m) ops.add(r.operatingPoint());
        throw new BadInputException(field + ": operating_point '" + operatingPoint + "' not in cost table for " + chip + " / " + tier
                + " / " + profile + "; have: " + String.join(", ", ops) + " (or 'cheapest')");
    }
}
