package dev.infercost.revenue;

import dev.infercost.BadInputException;
import dev.infercost.results.CostBandColumn;
import dev.infercost.results.CostColumn;
import dev.infercost.results.ResultSchemas;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * A cost table ({@code cost.csv}, columns {@link ResultSchemas#COST_TABLE}, optional band columns {@link CostBandColumn}) as the revenue model reads it:
 * rows are picked by chip + tier + profile (+ operating point, or the cheapest one).
 */
public final class CostTable {
    /** Illustrative cost table bundled for the default scenario when no --costs file is given (all rows projected). */
    public static final String DEFAULT_RESOURCE = "/dev/infercost/revenue/default-cost.csv";

    /**
     * One cost-table row. Money in USD; powerShare = power_cost_per_hour / usd_per_hour (0 when the tier
     * has no power breakdown, e.g. a cloud price), the part of the cost that scales with PUE x $/kWh.
     * usdPerQueryLow/High are the cost stage's band ({@link CostBandColumn}); when the table has no band for the
     * row they equal the point value and {@code bandMissing} is true (labelled "band missing" in every output).
     * tokPerSPerUser is NaN when the table leaves it blank.
     */
    public record Row(String runId, String chip, String silicon, String provenance, String tier, String operatingPoint,
                      String model, String profile, double isl, double osl, double usdPerMInput, double usdPerMOutput,
                      double usdPerQuery, double whPerQuery, double powerShare, String basis, String sources,
                      double tokPerSPerUser, double usdPerQueryLow, double usdPerQueryHigh, boolean bandMissing,
                      String accuracyVerdict, String accuracyOverride) {
        /** True for a row priced although its measured point failed the accuracy gate (under --price-failed-accuracy). */
        public boolean pricedDespiteFailedAccuracy() { return "fail".equalsIgnoreCase(accuracyVerdict) && !accuracyOverride.isBlank(); }

        /** "H200 SXM / owner-tco / decode batch=64 / chat / llama-3.1-70b (measured)" */
        public String label() {
            return chip + " / " + tier + " / " + operatingPoint + " / " + profile + (model.isEmpty() ? "" : " / " + model) + " (" + provenance + ")";
        }

        /** $/query at band position -1 (low), 0 (point) or +1 (high). */
        public double usdPerQuery(int band) { return band < 0 ? usdPerQueryLow : band > 0 ? usdPerQueryHigh : usdPerQuery; }
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
            return new CostTable(file.toString(), parse(dev.infercost.results.Row.readAll(file), file.toString()));
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
                        parse(dev.infercost.results.Row.readAll(tmp), DEFAULT_RESOURCE));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Row> parse(List<dev.infercost.results.Row> recs, String file) {
        if (recs.isEmpty()) throw new BadInputException(file + ": cost table has no rows");
        for (CostColumn c : List.of(CostColumn.CHIP, CostColumn.TIER, CostColumn.PROVENANCE, CostColumn.OPERATING_POINT, CostColumn.PROFILE,
                CostColumn.PROFILE_ISL, CostColumn.PROFILE_OSL, CostColumn.USD_PER_M_INPUT, CostColumn.USD_PER_M_OUTPUT,
                CostColumn.USD_PER_QUERY, CostColumn.USD_PER_HOUR))
            if (!recs.get(0).hasColumn(c))
                throw new BadInputException(file + ": cost table lacks column '" + c.header() + "' (expected the columns of ResultSchemas.COST_TABLE)");
        List<Row> out = new ArrayList<>();
        for (dev.infercost.results.Row r : recs) {
            // a point whose accuracy gate failed is never revenue input unless it was priced under the explicit override
            if ("fail".equalsIgnoreCase(r.get(CostColumn.ACCURACY_VERDICT).trim()) && r.get(CostColumn.ACCURACY_OVERRIDE).isBlank()) continue;
            double usdH = nonNeg(r, CostColumn.USD_PER_HOUR);
            double powerH = r.num(CostColumn.POWER_COST_PER_HOUR, Double.NaN);
            double share = usdH > 0 && !Double.isNaN(powerH) ? Math.min(1, powerH / usdH) : 0;
            double q = nonNeg(r, CostColumn.USD_PER_QUERY);
            double lo = r.num(CostBandColumn.USD_PER_QUERY_LOW, Double.NaN), hi = r.num(CostBandColumn.USD_PER_QUERY_HIGH, Double.NaN);
            boolean missing = Double.isNaN(lo) || Double.isNaN(hi);
            if (!missing && (lo < 0 || lo > q * (1 + 1e-9) || hi < q * (1 - 1e-9)))
                throw new BadInputException(file + ": row " + r.line() + ": band " + lo + " .. " + hi + " $/query does not bracket the point value " + q);
            out.add(new Row(r.get(CostColumn.RUN_ID), r.get(CostColumn.CHIP), r.get(CostColumn.SILICON), r.get(CostColumn.PROVENANCE),
                    r.get(CostColumn.TIER), r.get(CostColumn.OPERATING_POINT), modelWithPrecision(r), r.get(CostColumn.PROFILE),
                    nonNeg(r, CostColumn.PROFILE_ISL), nonNeg(r, CostColumn.PROFILE_OSL), nonNeg(r, CostColumn.USD_PER_M_INPUT),
                    nonNeg(r, CostColumn.USD_PER_M_OUTPUT), q, r.num(CostColumn.WH_PER_QUERY, Double.NaN), share,
                    r.get(CostColumn.BASIS), r.get(CostColumn.SOURCES), r.num(CostColumn.TOK_PER_S_PER_USER, Double.NaN),
                    missing ? q : lo, missing ? q : hi, missing, r.get(CostColumn.ACCURACY_VERDICT).trim(), r.get(CostColumn.ACCURACY_OVERRIDE).trim()));
        }
        if (out.isEmpty()) throw new BadInputException(file + ": every row is a point whose accuracy gate failed (accuracy_verdict=fail), not priced");
        return out;
    }

    /**
     * The served model as the scenario names it: the cost stage writes the shape in {@code model} and the weights/KV
     * precision in {@code precision} ("fp8/fp8"), the scenario says "llama-3.1-70b fp8"; a model text that already
     * names its precision, or a table without a precision column, is kept as it is.
     */
    private static String modelWithPrecision(dev.infercost.results.Row r) {
        String model = r.get(CostColumn.MODEL).trim();
        String prec = r.get(CostColumn.PRECISION).trim();
        if (prec.isEmpty() || model.isEmpty() || model.contains(" ")) return model;
        int slash = prec.indexOf('/');
        return model + " " + (slash > 0 ? prec.substring(0, slash) : prec).toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether row model {@code have} serves scenario model {@code want}: equal, or {@code have} names no precision and is {@code want}'s shape. */
    static boolean serves(String have, String want) {
        if (have.equals(want)) return true;
        int sp = want.indexOf(' ');
        return !have.contains(" ") && sp > 0 && want.substring(0, sp).equals(have);
    }

    private static double nonNeg(dev.infercost.results.Row r, CostColumn c) {
        double d = r.num(c);
        if (d < 0) throw new BadInputException((r.file() == null ? "<table>" : r.file().toString()) + ": row " + r.line() + ", column '"
                + c.header() + "': '" + r.get(c) + "' is not a non-negative number");
        return d;
    }

    /** As {@link #select(String, String, String, String, String, double, String)} without model or interactivity filter. */
    public Row select(String chip, String tier, String operatingPoint, String profile, String field) {
        return select(chip, tier, operatingPoint, profile, null, Double.NaN, field);
    }

    /**
     * The row for chip + tier + profile (+ model when non-null) at an operating point: a named one, or
     * {@code null}/"cheapest" = the lowest $/query among rows whose tok/s/user is at least {@code minTokPerSPerUser}
     * (NaN = no interactivity target; rows without a tok/s/user figure never meet a target).
     * @throws BadInputException naming what the table offers when nothing matches
     */
    public Row select(String chip, String tier, String operatingPoint, String profile, String model, double minTokPerSPerUser, String field) {
        List<Row> m = new ArrayList<>();
        for (Row r : rows)
            if (r.chip().equals(chip) && r.tier().equals(tier) && r.profile().equals(profile) && (model == null || serves(r.model(), model))) m.add(r);
        if (m.isEmpty()) {
            TreeSet<String> have = new TreeSet<>();
            for (Row r : rows) have.add(r.chip() + " / " + r.tier() + " / " + r.profile() + (model == null ? "" : " / " + r.model()));
            throw new BadInputException(field + ": cost table " + origin + " has no row for chip '" + chip + "', tier '" + tier
                    + "', profile '" + profile + "'" + (model == null ? "" : ", model '" + model + "'") + "; it has: " + String.join("; ", have));
        }
        if (operatingPoint == null || operatingPoint.isBlank() || operatingPoint.equals("cheapest")) {
            List<Row> ok = new ArrayList<>();
            for (Row r : m) if (Double.isNaN(minTokPerSPerUser) || r.tokPerSPerUser() >= minTokPerSPerUser) ok.add(r);
            if (ok.isEmpty()) {
                TreeSet<String> tps = new TreeSet<>();
                for (Row r : m) tps.add(r.operatingPoint() + " (" + r.tokPerSPerUser() + " tok/s/user)");
                throw new BadInputException(field + ": no operating point of " + chip + " / " + tier + " / " + profile + (model == null ? "" : " / " + model)
                        + " reaches " + minTokPerSPerUser + " tok/s/user; have: " + String.join(", ", tps));
            }
            return ok.stream().min(Comparator.comparingDouble(Row::usdPerQuery)).orElseThrow();
        }
        for (Row r : m) if (r.operatingPoint().equals(operatingPoint)) return r;
        TreeSet<String> ops = new TreeSet<>();
        for (Row r : m) ops.add(r.operatingPoint());
        throw new BadInputException(field + ": operating_point '" + operatingPoint + "' not in cost table for " + chip + " / " + tier
                + " / " + profile + "; have: " + String.join(", ", ops) + " (or 'cheapest')");
    }

    /** Whether every row has a low/high $/query band. */
    public boolean hasBands() { return rows.stream().noneMatch(Row::bandMissing); }
}
