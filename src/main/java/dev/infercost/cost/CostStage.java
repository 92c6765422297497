package dev.infercost.cost;

import dev.infercost.hardware.Catalog;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.CatalogValue;
import dev.infercost.hardware.PriceQuote;

import dev.infercost.BadInputException;
import dev.infercost.results.ResultSchemas;
import dev.infercost.model.LlamaConfig;
import dev.infercost.model.PresetShapes;
import dev.infercost.results.CostCurveColumn;
import dev.infercost.results.Column;
import dev.infercost.results.CsvTable;
import dev.infercost.results.EnergyColumn;
import dev.infercost.results.EngineBenchColumn;
import dev.infercost.results.Row;
import dev.infercost.results.RunDirectory;
import dev.infercost.results.ServingColumn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost stage: measured tokens -> $/accelerator-hour -> $/M input and output tokens, $/query and Wh/query,
 * for the measured device and, projected by roofline fraction, for every catalog chip.
 *
 * <p>Reads {@code engine_bench.csv} (and {@code serving.csv}, {@code energy.csv} if present) from a run folder
 * (columns in {@link ResultSchemas}) and writes {@code cost.csv} ({@link ResultSchemas#COST_COLUMNS}; only rows
 * with every money column set) and, if any, {@code cost_uncosted.csv} (same columns: chips without a catalog
 * price, models that do not fit, missing spec figures, measured points whose accuracy gate failed, with the reason). Neither file is ever overwritten: an
 * existing name makes it write {@code cost-2.csv} etc. and say so in the notes.
 * Input tokens are costed by the device time prefill takes and output tokens by the time decode takes at
 * the operating point ({@link Economics#deviceSecondsPerQuery}); a price tier turns time into dollars
 * (owner TCO, {@link Tco}, or a published cloud price). Every row states its provenance (measured or
 * projected), its price basis and its assumptions.
 */
public final class CostStage {
    private CostStage() {}

    /**
     * Runs the cost stage on a results folder.
     *
     * @throws BadInputException when the folder has no measurement table, a table lacks a needed column, the
     *                           user catalog is invalid, or the output file exists already (for an explicit --out file)
     */
    public static CostResult run(RunDirectory dir, CostOptions o) {
        Path p = dir.path();
        Path eb = p.resolve(ResultSchemas.ENGINE_BENCH), sv = p.resolve(ResultSchemas.SERVING), en = p.resolve(ResultSchemas.ENERGY);
        if (!Files.exists(eb) && !Files.exists(sv))
            throw new BadInputException(p + ": no " + ResultSchemas.ENGINE_BENCH + " or " + ResultSchemas.SERVING + " to cost (run 'infercost run' first)");
        // Several profiles (comma-separated, e.g. "chat,rag,reasoning") share one cost.csv (its profile column tells
        // them apart); the printed table shows the first.
        List<QueryProfile> profiles = new ArrayList<>();
        for (String name : (o.profile() == null ? "chat" : o.profile()).split(","))
            if (!name.isBlank()) profiles.add(QueryProfile.of(name.trim()));
        if (profiles.isEmpty()) throw new BadInputException("--profile '" + o.profile() + "': no profile named");
        QueryProfile profile = profiles.get(0);
        dev.infercost.results.ResultsFolderValidator.check(p); // structure, types and ranges first (issue 17)
        Catalog cat = Catalog.load(o.catalog());
        List<Row> energy = Files.exists(en) ? Row.readAll(en) : List.of();
        List<Row> engine = Files.exists(eb) ? Row.readAll(eb) : List.of();
        List<Row> serving = Files.exists(sv) ? Row.readAll(sv) : List.of();
        String runId = dir.runId();
        if (!engine.isEmpty() && engine.get(0).has(EngineBenchColumn.RUN_ID)) runId = engine.get(0).get(EngineBenchColumn.RUN_ID);
        else if (!serving.isEmpty() && serving.get(0).has(ServingColumn.RUN_ID)) runId = serving.get(0).get(ServingColumn.RUN_ID);
        List<String> notes = new ArrayList<>();
        for (String s : cat.overrides()) notes.add("overridden: " + s);
        // accuracy failures and impossible figures are never priced (issue 17)
        engine = dev.infercost.results.ResultsFolderValidator.priceable(engine, eb, notes, System.err);
        serving = dev.infercost.results.ResultsFolderValidator.priceable(serving, sv, notes, System.err);
        if (engine.isEmpty() && serving.isEmpty()) {
            List<String> why = notes.stream().filter(x -> x.startsWith("not priced")).toList();
            throw new BadInputException(p + ": no measured point can be priced ("
                    + (why.isEmpty() ? eb.getFileName() + (Files.exists(sv) ? " and " + sv.getFileName() + " hold" : " holds") + " no data rows" : String.join("; ", why)) + ")");
        }
        List<CostRow> all = new ArrayList<>();
        List<Builder> builders = new ArrayList<>();
        Builder first = null;
        for (QueryProfile pr : profiles) {
            Builder b = new Builder(cat, o, pr, runId);
            if (Files.exists(eb)) b.engine(engine, energy, eb);
            if (Files.exists(sv)) b.serving(serving, sv);
            ModelShape pm = o.project() ? projectionModel(o, engine, serving) : null;
            for (Path f : o.imports()) b.imported(Imports.read(f, o.importChip(), o.importChips()), pm);
            if (o.project()) {
                ModelShape m = pm;
                if (m == null) b.notes.add("not projected: the measured model is not a known shape (known: " + String.join(", ", ModelShape.names()) + "); pass --project-model NAME");
                else CurveProjection.run(b, m, b.measuredModels);
            }
            for (String n : b.notes) if (!notes.contains(n)) notes.add(n);
            all.addAll(b.rows);
            builders.add(b);
            if (first == null) first = b;
        }
        List<Map<CostCurveColumn, Object>> curve = new ArrayList<>();
        for (Builder x : builders) curve.addAll(x.curve);
        List<CostRow> costed = all.stream().filter(CostStage::complete).toList();
        List<CostRow> uncosted = new ArrayList<>(all.stream().filter(r -> !complete(r)).toList());
        for (Builder x : builders) uncosted.addAll(x.noisyRows);
        Map<String, Exclusion> excluded = new LinkedHashMap<>();
        for (Builder x : builders) x.excluded.forEach(excluded::putIfAbsent);
        for (String n : notes) if (n.startsWith("not priced: ") && n.contains(" exceeds 1")) excluded.putIfAbsent(n.substring(12, n.indexOf(" because ")), Exclusion.IMPOSSIBLE);
        long measuredPriced = costed.stream().filter(r -> !r.provenance().equals("projected")).count();
        String exclusion = exclusionLine(excluded, measuredPriced);
        if (costed.isEmpty()) // nothing at all priced: say why, write nothing (never a 0-row cost.csv with exit 0)
            throw new BadInputException(p + ": nothing could be priced, so no cost.csv was written: "
                    + (excluded.isEmpty() ? "" : exclusionLine(excluded, -1) + "; ")
                    + String.join("; ", notes.stream().filter(n -> n.startsWith("not projected: the measured model") || n.contains("not in the catalog") || n.contains("not in catalog")
                            || n.startsWith("not costed") || n.startsWith("serving frontier") || n.startsWith("serving point skipped")).distinct().toList()));
        if (exclusion != null) System.err.println("infercost: " + exclusion);
        Path written = write(dir, o, costed, uncosted, notes);
        if (!curve.isEmpty()) {
            CsvTable ct = ResultSchemas.COST_CURVE_TABLE.newTable();
            for (Map<CostCurveColumn, Object> r : curve) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (var e : r.entrySet()) m.put(e.getKey().header(), e.getValue());
                ct.add(m);
            }
            Path cp = writeFresh(RunDirectory.open(written.getParent()), "cost_curve", ct, notes);
            notes.add("wrote " + cp.getFileName() + " (" + curve.size() + " operating points: throughput per chip vs tok/s/user per TP and batch)");
        }
        StringBuilder tb = new StringBuilder(ProcurementTable.render(first.rows, first.tableBatch, profile, notes, written, first.projectionLabel, first.projectionTarget));
        for (Builder x : builders) // each further profile priced: its ranking in one tier and its measured rows (all tiers in cost.csv)
            if (x != first) tb.append(ProcurementTable.otherProfile(x.rows, x.tableBatch, x.profile, x.notes, x.projectionLabel, x.projectionTarget));
        if (builders.size() > 1)
            tb.append(String.format(Locale.ROOT, "%nProfiles %s: the first is ranked in every tier above, the others in the tier pricing the most chips; every row of every profile is in %s%n",
                    String.join(", ", builders.stream().map(x -> x.profile.name()).toList()), written.getFileName()));
        String table = tb.toString();
        Map<String, Object> pricing = new LinkedHashMap<>();
        pricing.put("price_failed_accuracy", o.priceFailedAccuracy());
        pricing.put("rows_priced_despite_failed_accuracy", costed.stream().filter(r -> r.accuracy().failed()).count());
        pricing.put("rows_not_priced_failed_accuracy", uncosted.stream().filter(r -> r.accuracy().failed() && r.accuracy().override().isEmpty()).count());
        pricing.put("accuracy_notes", notes.stream().filter(n -> n.contains("accuracy gate failed")).toList());
        pricing.put("measured_rows_priced", measuredPriced);
        List<Map<String, String>> ex = new ArrayList<>();
        excluded.forEach((k, v) -> ex.add(Map.of("point", k, "reason", v.reason, "include_with", v.include)));
        pricing.put("measured_points_excluded", ex);
        for (String n : notes) if (n.contains("accuracy gate failed")) System.err.println("infercost: " + n);
        if (o.priceFailedAccuracy() && costed.stream().anyMatch(r -> r.accuracy().failed()))
            System.err.println("infercost: " + CostRow.Accuracy.OVERRIDE_FLAG + ": " + pricing.get("rows_priced_despite_failed_accuracy")
                    + " cost rows are priced although their accuracy gate failed (labelled in accuracy_override and basis)");
        return new CostResult(costed, uncosted, written, List.copyOf(notes), table, pricing);
    }

    /** Why a measured point was left out of pricing, and what includes it. */
    enum Exclusion {
        NOISY("noisy: JMH 99.9% error above the mean", "measure longer (run without --quick) or `infercost cost RUN --allow-noisy`"),
        ACCURACY("accuracy gate failed", "--price-failed-accuracy"),
        NO_CHIP("device_class not in the catalog", "--usd-per-hour P, or a --catalog row for the chip"),
        IMPOSSIBLE("MBU or MFU above 1 (wrong peak figure)", "--host-peak-bandwidth / --host-peak-tflops or a corrected --catalog");
        final String reason, include;
        Exclusion(String reason, String include) { this.reason = reason; this.include = include; }
    }

    /**
     * One line on the measured points left out of pricing, grouped by reason with the flag that includes them, e.g.
     * "2 measured points not priced (noisy: JMH 99.9% error above the mean: cpu-host stories110M jvm decode batch 1, ...;
     * include with ...); cost.csv holds 0 measured rows, only projections" (no cost.csv clause when measuredPriced < 0); null when none was left out.
     */
    static String exclusionLine(Map<String, Exclusion> excluded, long measuredPriced) {
        if (excluded.isEmpty()) return null;
        Map<Exclusion, List<String>> by = new java.util.EnumMap<>(Exclusion.class);
        excluded.forEach((k, v) -> by.computeIfAbsent(v, x -> new ArrayList<>()).add(k));
        List<String> parts = new ArrayList<>();
        by.forEach((e, pts) -> parts.add(pts.size() + " " + e.reason + " (" + String.join(", ", pts) + "; include with " + e.include + ")"));
        return excluded.size() + " measured point" + (excluded.size() == 1 ? "" : "s") + " not priced: " + String.join("; ", parts)
                + (measuredPriced < 0 ? "" : "; cost.csv holds " + measuredPriced + " measured row" + (measuredPriced == 1 ? "" : "s") + (measuredPriced == 0 ? ", only projections" : ""));
    }

    /** A row with every money column (what readers of cost.csv, e.g. the revenue stage, may rely on). */
    static boolean complete(CostRow r) {
        return !Double.isNaN(r.usdPerHour()) && !Double.isNaN(r.usdPerMInput()) && !Double.isNaN(r.usdPerMOutput()) && !Double.isNaN(r.usdPerQuery());
    }

    static CsvTable table(List<CostRow> rows) {
        CsvTable t = new CsvTable(ResultSchemas.COST_COLUMNS);
        for (CostRow r : rows) t.add(r.toMap());
        return t;
    }

    static Path write(RunDirectory dir, CostOptions o, List<CostRow> rows, List<CostRow> uncosted, List<String> notes) {
        RunDirectory target = dir;
        String base = "cost", fixedName = null;
        if (o.out() != null) {
            Path out = o.out();
            boolean file = out.getFileName() != null && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") && !Files.isDirectory(out);
            try {
                if (file) {
                    Path parent = out.toAbsolutePath().getParent();
                    Files.createDirectories(parent);
                    target = RunDirectory.open(parent);
                    fixedName = out.getFileName().toString();
                    base = fixedName.substring(0, fixedName.length() - 4);
                } else {
                    Files.createDirectories(out);
                    target = RunDirectory.open(out);
                }
            } catch (IOException e) {
                throw new dev.infercost.IoFaultException(out + ": cannot create output folder (" + dev.infercost.results.OutputFiles.reason(e) + ")", e);
            }
        }
        Path written = fixedName != null ? target.writeCsv(fixedName, table(rows)) : writeFresh(target, base, table(rows), notes);
        if (!uncosted.isEmpty()) {
            Path u = writeFresh(target, base + "_uncosted", table(uncosted), notes);
            notes.add(uncosted.size() + " rows without a complete price (no price in the catalog, model does not fit, or a spec figure missing) written to " + u.getFileName());
        }
        return written;
    }

    /** Writes BASE.csv, or BASE-2.csv, BASE-3.csv ... if it exists (RunDirectory never overwrites), and says so. */
    static Path writeFresh(RunDirectory d, String base, CsvTable t, List<String> notes) {
        String name = base + ".csv";
        for (int i = 2; d.has(name); i++) name = base + "-" + i + ".csv";
        if (!name.equals(base + ".csv"))
            notes.add(base + ".csv exists already in " + d.path() + " (never overwritten); wrote " + name + " instead");
        return d.writeCsv(name, t);
    }

    // ------------------------------------------------------------------------------------------------

    /** Price of one chip-hour under one tier, with its breakdown and basis. */
    record Tier(String name, double usdPerHour, Tco tco, String basis, List<String> assumptions, List<String> sources,
                List<String> overridden) {}

    static final class Builder {
        final Catalog cat;
        final CostOptions o;
        final QueryProfile profile;
        final String runId;
        final List<CostRow> rows = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        Integer tableBatch;
        /** Measured rows flagged noisy and excluded (without --allow-noisy): written to cost_uncosted.csv only. */
        final List<CostRow> noisyRows = new ArrayList<>();
        /** Measured points left out of pricing: point ("cpu-host stories110M decode batch 8") -> reason class (see {@link Exclusion}). */
        final Map<String, Exclusion> excluded = new LinkedHashMap<>();

        /**
         * Why a measured engine row is noisy: its JMH 99.9% confidence half-width ({@code throughput_error [tok/s]})
         * exceeds its mean; null when it is not (or the row has no error column).
         */
        static String noisy(Row r) {
            double err = num(r, EngineBenchColumn.THROUGHPUT_ERROR), mean = num(r, EngineBenchColumn.THROUGHPUT);
            if (err > mean) return "JMH 99.9% error " + CatalogValue.fmt(err) + " tok/s > mean " + CatalogValue.fmt(mean) + " tok/s (" + r.get(EngineBenchColumn.PHASE) + " batch " + fmtInt(num(r, EngineBenchColumn.BATCH_SIZE)) + ")";
            return null;
        }

        /** cost_curve.csv rows of the calibrated sweep. */
        final List<Map<CostCurveColumn, Object>> curve = new ArrayList<>();
        /** Models measured per chip in this run (engine_bench, serving or imported): that chip is not projected for that model. */
        final Map<String, java.util.Set<String>> measuredModels = new LinkedHashMap<>();

        void measured(Accelerator chip, String model) {
            if (!chip.name().equals(Accelerator.CPU_HOST) && model != null)
                measuredModels.computeIfAbsent(chip.name(), k -> new java.util.LinkedHashSet<>()).add(model);
        }

        /** True when {@code model} (a measured model name, e.g. "meta-llama/Llama-3.1-70B-Instruct") is the shape {@code shape}. */
        static boolean sameModel(String model, ModelShape shape) {
            String m = Accelerator.slug(model.startsWith("preset:") ? model.substring(7) : model), n = Accelerator.slug(shape.name());
            return !n.isEmpty() && m.contains(n);
        }
        /** Model/precision and interactivity target of the projected rows (for the procurement headline). */
        String projectionLabel;
        double projectionTarget = Double.NaN;
        private Calibrator calibrator;

        Calibrator calibrator() {
            if (calibrator == null) calibrator = new Calibrator(cat, dev.infercost.hardware.Calibration.bundled().with(o.calibration()));
            return calibrator;
        }
        /** Decode points per chip (measured or projected) for cost at a target tok/s/user across batch sizes. */
        final Map<String, Series> series = new LinkedHashMap<>();

        /** @param accuracy [0]: the accuracy columns of rows derived from the series (a failed point priced under the override labels them all) */
        record Series(Accelerator chip, String provenance, String model, String weights, Power power, List<Frontier.Point> points, List<String> assumptions,
                      CostRow.Accuracy[] accuracy) {}

        void addPoint(Accelerator chip, String provenance, String model, String weights, Power power, int batch, double prefill, double decode, List<String> a,
                      CostRow.Accuracy acc) {
            Series s = series.computeIfAbsent(chip.name() + "|" + provenance + "|" + model, k -> new Series(chip, provenance, model, weights, power, new ArrayList<>(), new ArrayList<>(a),
                    new CostRow.Accuracy[]{CostRow.Accuracy.NONE}));
            if (acc.failed()) {
                s.accuracy()[0] = acc;
                if (!s.assumptions().contains(accuracyAssumption(acc))) s.assumptions().add(accuracyAssumption(acc));
            }
            s.points().add(new Frontier.Point(decode / batch, decode, prefill, decode, Double.NaN, Double.NaN, Double.NaN, "batch=" + batch));
        }

        Builder(Catalog cat, CostOptions o, QueryProfile profile, String runId) {
            this.cat = cat; this.o = o; this.profile = profile; this.runId = runId;
            if (o.hostPeakBandwidthGBs() != null) {
                if (!(o.hostPeakBandwidthGBs() > 0)) throw new BadInputException("--host-peak-bandwidth " + o.hostPeakBandwidthGBs() + ": expected > 0 GB/s");
                cat.set(Accelerator.CPU_HOST, "memory_bandwidth", CatalogValue.of(o.hostPeakBandwidthGBs() / 1000.0, "TB/s", "assumed", "--host-peak-bandwidth", "command line", true));
            }
            if (o.hostPeakTflops() != null) {
                if (!(o.hostPeakTflops() > 0)) throw new BadInputException("--host-peak-tflops " + o.hostPeakTflops() + ": expected > 0 TFLOP/s");
                cat.set(Accelerator.CPU_HOST, "fp32_dense", CatalogValue.of(o.hostPeakTflops(), "TFLOP/s", "assumed", "--host-peak-tflops", "command line", true));
            }
        }

        // ------------------------------------------------------------ engine benchmarks

        void engine(List<Row> all, List<Row> energy, Path file) {
            if (all.isEmpty()) { notes.add(file + ": no rows"); return; }
            for (EngineBenchColumn col : List.of(EngineBenchColumn.DEVICE_CLASS, EngineBenchColumn.MODEL, EngineBenchColumn.PHASE, EngineBenchColumn.BATCH_SIZE, EngineBenchColumn.THROUGHPUT))
                if (!all.get(0).hasColumn(col)) throw new BadInputException(file + ": column '" + col.header() + "' is missing (see ResultSchemas.ENGINE_BENCH_TABLE)");
            if (o.batch() != null) {
                java.util.Set<String> batches = new java.util.TreeSet<>();
                for (Row r : all) if ("decode".equalsIgnoreCase(r.get(EngineBenchColumn.PHASE))) batches.add(fmtInt(num(r, EngineBenchColumn.BATCH_SIZE)));
                if (!batches.contains(Integer.toString(o.batch())))
                    throw new BadInputException("--batch " + o.batch() + ": " + file + " has no decode row at that batch (measured batches: " + String.join(", ", batches) + ")");
            }
            Map<String, List<Row>> groups = new LinkedHashMap<>();
            for (Row r : all) groups.computeIfAbsent(r.get(EngineBenchColumn.DEVICE_CLASS) + "|" + r.get(EngineBenchColumn.MODEL) + "|" + r.get(EngineBenchColumn.DTYPE) + "|" + r.get(EngineBenchColumn.BACKEND), k -> new ArrayList<>()).add(r);
            for (List<Row> g : groups.values()) {
                if (g.stream().allMatch(r -> "encode".equalsIgnoreCase(r.get(EngineBenchColumn.PHASE)))) {
                    notes.add("encoder rows (" + g.get(0).get(EngineBenchColumn.MODEL) + ") are measured but not priced per generated token: they have no decode phase");
                    continue;
                }
                try {
                    engineGroup(g, energy, file);
                } catch (BadInputException e) {
                    notes.add("not costed: " + g.get(0).get(EngineBenchColumn.DEVICE_CLASS) + " " + g.get(0).get(EngineBenchColumn.MODEL) + ": " + e.getMessage());
                }
            }
        }

        void engineGroup(List<Row> g, List<Row> energy, Path file) {
            Row first = g.get(0);
            String deviceClass = first.get(EngineBenchColumn.DEVICE_CLASS), model = first.get(EngineBenchColumn.MODEL), dtype = first.getOr(EngineBenchColumn.DTYPE, "fp32");
            Accelerator chip = measuredChip(deviceClass);
            List<Row> decode = new ArrayList<>(), prefill = new ArrayList<>();
            for (Row r : g) {
                double t = num(r, EngineBenchColumn.THROUGHPUT);
                if (!(t > 0)) continue;
                if ("decode".equalsIgnoreCase(r.get(EngineBenchColumn.PHASE))) decode.add(r);
                else if ("prefill".equalsIgnoreCase(r.get(EngineBenchColumn.PHASE))) prefill.add(r);
            }
            if (decode.isEmpty()) throw new BadInputException(file + ": no decode row with a positive throughput for " + deviceClass + " " + model);
            decode.sort(Comparator.comparingInt(r -> (int) num(r, EngineBenchColumn.BATCH_SIZE)));
            int maxBatch = (int) num(decode.get(decode.size() - 1), EngineBenchColumn.BATCH_SIZE);
            if (tableBatch == null) tableBatch = o.batch() != null ? o.batch() : maxBatch;

            String measuredModel = model;
            String shapeCell = decode.get(0).get(EngineBenchColumn.MODEL_SHAPE);
            LlamaConfig measuredShape = shapeCell.isBlank() ? shapeOf(model) : LlamaConfig.parseShape(shapeCell);

            for (Row d : decode) {
                int batch = (int) num(d, EngineBenchColumn.BATCH_SIZE);
                Row pf = partner(prefill, batch);
                double mbu = mbu(d, chip), mfu = pf == null ? Double.NaN : mfu(pf, chip, dtype);
                double decTps = num(d, EngineBenchColumn.THROUGHPUT), preTps = pf == null ? Double.NaN : num(pf, EngineBenchColumn.THROUGHPUT);
                if (measuredShape != null && profile.isl() + profile.osl() > measuredShape.seqLen()) {
                    String warn = "profile " + profile.name() + " (ISL+OSL " + (profile.isl() + profile.osl()) + ") exceeds the measured model's context "
                            + measuredShape.seqLen() + ": its $/query applies per-token rates measured at a shorter context";
                    if (!notes.contains(warn)) notes.add(warn);
                }
                String op = "decode batch=" + batch + " ctx=" + fmtInt(num(d, EngineBenchColumn.CONTEXT))
                        + (pf == null ? "" : "; prefill batch=" + fmtInt(num(pf, EngineBenchColumn.BATCH_SIZE)) + " isl=" + fmtInt(num(pf, EngineBenchColumn.ISL)));
                List<String> a = new ArrayList<>();
                a.add("measured " + d.get(EngineBenchColumn.BACKEND) + " on " + d.get(EngineBenchColumn.DEVICE) + " (" + d.get(EngineBenchColumn.WEIGHTS) + " weights, " + dtype + ")");
                a.add("throughputs measured at context " + fmtInt(num(d, EngineBenchColumn.CONTEXT)) + (pf == null ? "" : " / ISL " + fmtInt(num(pf, EngineBenchColumn.ISL))) + ", applied to profile " + profile.name() + " " + profile.isl() + "/" + profile.osl());
                if (measuredShape != null && profile.isl() + profile.osl() > measuredShape.seqLen())
                    a.add("profile ISL+OSL " + (profile.isl() + profile.osl()) + " exceeds the measured model's context " + measuredShape.seqLen() + "; per-token rates measured at shorter context applied anyway");
                if (pf == null) a.add("no prefill row: input tokens not costed");
                else if ((int) num(pf, EngineBenchColumn.BATCH_SIZE) != batch) a.add("prefill at batch " + fmtInt(num(pf, EngineBenchColumn.BATCH_SIZE)) + " (highest measured prefill throughput; no prefill row at batch " + batch + ")");
                // accuracy (issue 17): a point whose decode or prefill row failed its gate is not priced without the override
                CostRow.Accuracy acc = accuracy(d, pf);
                if (acc.failed()) a.add(accuracyAssumption(acc));
                Power pw = power(d, energy, chip);
                Power ppw = pf == null ? pw : power(pf, energy, chip);
                if (chip == null) {
                    notes.add("device_class '" + deviceClass + "' is not in the catalog; measured rows are priced only with --usd-per-hour or a catalog row");
                    excluded.putIfAbsent(deviceClass + " " + model + " " + d.get(EngineBenchColumn.BACKEND) + " decode batch " + batch, Exclusion.NO_CHIP);
                    continue;
                }
                String noise = noisy(d);
                if (noise == null && pf != null) noise = noisy(pf);
                if (noise != null) a.add("NOISY: " + noise + (o.allowNoisy() ? "; used anyway (--allow-noisy)" : "; excluded from cost.csv and every derived figure (pass --allow-noisy to use it)"));
                if (acc.failed() && acc.override().isEmpty()) {
                    rows.add(row(chip, "measured", accuracyTier(), op, measuredModel, d.get(EngineBenchColumn.WEIGHTS), batch, pw, ppw, preTps, decTps,
                            numOr(d, EngineBenchColumn.THROUGHPUT_PER_SEQ, decTps / batch), mbu, mfu, "measured: engine_bench.csv", a).with(acc));
                    accuracyNote(deviceClass + " " + model + " " + d.get(EngineBenchColumn.BACKEND) + " decode batch " + batch);
                    excluded.putIfAbsent(deviceClass + " " + model + " " + d.get(EngineBenchColumn.BACKEND) + " decode batch " + batch, Exclusion.ACCURACY);
                    continue;
                }
                for (Tier t : tiers(chip, pw.watts, pw.basis)) {
                    CostRow r = row(chip, "measured", t, op, measuredModel, d.get(EngineBenchColumn.WEIGHTS), batch, pw, ppw, preTps, decTps,
                            numOr(d, EngineBenchColumn.THROUGHPUT_PER_SEQ, decTps / batch), mbu, mfu, labelled("measured: engine_bench.csv", acc), a)
                            .with(CostRow.Extra.NONE.withNoisy(noise != null)).with(acc);
                    (noise != null && !o.allowNoisy() ? noisyRows : rows).add(r);
                }
                if (noise != null && !o.allowNoisy()) {
                    excluded.putIfAbsent(deviceClass + " " + model + " " + d.get(EngineBenchColumn.BACKEND) + " decode batch " + batch, Exclusion.NOISY);
                    String n = "noisy: " + deviceClass + " " + model + " decode batch " + batch + ": " + noise + "; excluded (written to cost_uncosted.csv flagged noisy; --allow-noisy uses it)";
                    if (!notes.contains(n)) notes.add(n);
                    continue;
                }
                addPoint(chip, "measured", measuredModel, d.get(EngineBenchColumn.WEIGHTS), pw, batch, preTps, decTps, a, acc);
                measured(chip, measuredModel);
            }
            if (o.targetTokPerSUser() != null) decodeTargets(o.targetTokPerSUser());
            series.clear();
        }

        /**
         * Cost at equal service level from engine points: per chip, the PCHIP of decode throughput over tok/s/user
         * across the measured (or projected) batch sizes, evaluated at the target; never extrapolated.
         */
        void decodeTargets(double target) {
            for (Series s : series.values()) {
                String where = s.chip().name() + " (" + s.provenance() + ", " + s.model() + ")";
                Frontier.At at;
                try {
                    at = new Frontier(s.points()).atUserSpeed(target);
                } catch (BadInputException e) {
                    notes.add("decode target not costed for " + where + ": " + e.getMessage());
                    continue;
                }
                Frontier.Point p = at.point();
                List<String> a = new ArrayList<>(s.assumptions());
                a.add("cost at equal service level: decode throughput at " + CatalogValue.fmt(target) + " tok/s/user by " + at.method()
                        + " over batches " + String.join(", ", s.points().stream().map(Frontier.Point::label).toList()));
                for (Tier t : tiers(s.chip(), s.power().watts, s.power().basis))
                    rows.add(row(s.chip(), s.provenance(), t, "decode target " + CatalogValue.fmt(target) + " tok/s/user", s.model(), s.weights(), null,
                            s.power(), s.power(), p.inputTokPerS(), p.deviceTokPerS(), p.userTokPerS(), Double.NaN, Double.NaN,
                            labelled(s.provenance().equals("measured") ? "measured: engine_bench.csv, interpolated across batch sizes" : "projected: roofline fraction x " + s.chip().name() + " spec, interpolated across batch sizes", s.accuracy()[0]), a)
                            .with(s.accuracy()[0]));
            }
        }

        // ------------------------------------------------------------ imported measurements

        /**
         * Prices imported points as "measured (imported)" for the chip they name (blended $/M over input and output
         * tokens: the imports carry no prefill time share; $/query from the chip-seconds per query = OSL / output tok/s
         * per chip). An imported point of the projected model replaces that chip's projection.
         */
        void imported(List<Imports.Point> pts, ModelShape projected) {
            for (Imports.Point p : pts) {
                Accelerator chip = cat.find(p.chip());
                if (chip == null) { notes.add("not costed: imported point " + p.source() + ": chip '" + p.chip() + "' is not in the catalog"); continue; }
                measured(chip, p.model());
                if (projected != null && !sameModel(p.model(), projected)) notes.add("imported " + chip.name() + " " + p.model() + " (" + p.source() + ") is another model than the projected " + projected.name() + ": the projection of " + chip.name() + " stays");
                // blended: the chip's seconds per query spread over ISL + OSL tokens
                double secs = p.osl() / p.tokPerSChip();
                double blended = (p.isl() + p.osl()) / secs;
                Power pw = Double.isNaN(p.powerW()) ? estimatedPower(chip) : new Power(p.powerW(), "imported (" + p.source() + ")");
                List<String> a = new ArrayList<>();
                a.add("MEASURED (IMPORTED) from " + p.source() + ": " + p.stack() + ", " + p.model() + " " + p.precision() + ", ISL/OSL " + fmtInt(p.isl()) + "/" + fmtInt(p.osl())
                        + ", concurrency " + fmtInt(p.concurrency()) + ", " + CatalogValue.fmt(p.tokPerSChip()) + " output tok/s per chip");
                a.add("no prefill time share in the import: BLENDED $/M over input + output tokens; $/query from OSL / output tok/s per chip");
                if (p.isl() != profile.isl() || p.osl() != profile.osl()) a.add("measured at ISL/OSL " + fmtInt(p.isl()) + "/" + fmtInt(p.osl()) + ", applied to profile " + profile.name() + " " + profile.isl() + "/" + profile.osl());
                String op = "imported concurrency=" + fmtInt(p.concurrency()) + " (" + p.source() + ")";
                for (Tier t : tiers(chip, pw.watts, pw.basis)) {
                    CostRow r = row(chip, "measured (imported)", t, op, p.model(), p.precision(), Double.isNaN(p.concurrency()) ? null : (int) p.concurrency(), pw, pw,
                            blended, blended, p.tokPerSUser(), Double.NaN, Double.NaN, "measured (imported): " + p.source(), a);
                    rows.add(r.with(new CostRow.Extra(p.precision(), null, Double.NaN, p.ttftP50(), p.tpotP50(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                            Double.NaN, "measured (imported)", null)));
                }
                for (Tier t : tiers(chip, pw.watts, pw.basis)) {
                    Map<CostCurveColumn, Object> c = new java.util.EnumMap<>(CostCurveColumn.class);
                    c.put(CostCurveColumn.RUN_ID, runId); c.put(CostCurveColumn.CHIP, chip.name());
                    c.put(CostCurveColumn.VENDOR, chip.vendor()); c.put(CostCurveColumn.PROVENANCE, "measured (imported)");
                    c.put(CostCurveColumn.MODEL, p.model()); c.put(CostCurveColumn.PRECISION, p.precision());
                    c.put(CostCurveColumn.PROFILE, profile.name()); c.put(CostCurveColumn.ISL, p.isl());
                    c.put(CostCurveColumn.OSL, p.osl()); c.put(CostCurveColumn.BATCH_SIZE, p.concurrency());
                    c.put(CostCurveColumn.THROUGHPUT_PER_CHIP, p.tokPerSChip()); c.put(CostCurveColumn.TOK_PER_S_PER_USER, p.tokPerSUser());
                    c.put(CostCurveColumn.TTFT_ESTIMATE, p.ttftP50()); c.put(CostCurveColumn.TPOT_ESTIMATE, p.tpotP50());
                    c.put(CostCurveColumn.TIER, t.name()); c.put(CostCurveColumn.USD_PER_HOUR, t.usdPerHour());
                    // as the cost.csv row: no prefill time share in the import, so $/M is BLENDED over input + output tokens
                    c.put(CostCurveColumn.USD_PER_M_INPUT, CurveProjection.perM(t.usdPerHour(), blended));
                    c.put(CostCurveColumn.USD_PER_M_OUTPUT, CurveProjection.perM(t.usdPerHour(), blended));
                    c.put(CostCurveColumn.CALIBRATION, "measured (imported); $/M blended over input + output tokens (no prefill time share)"); c.put(CostCurveColumn.SOURCE, p.source());
                    curve.add(c);
                }
            }
        }

        // ------------------------------------------------------------ serving sweeps

        void serving(List<Row> all, Path file) {
            if (all.isEmpty()) return;
            for (ServingColumn col : List.of(ServingColumn.DEVICE_CLASS, ServingColumn.THROUGHPUT_PER_DEVICE, ServingColumn.TOK_PER_S_PER_USER))
                if (!all.get(0).hasColumn(col)) throw new BadInputException(file + ": column '" + col.header() + "' is missing (see ResultSchemas.SERVING_TABLE)");
            Map<String, List<Row>> groups = new LinkedHashMap<>();
            for (Row r : all) groups.computeIfAbsent(r.get(ServingColumn.DEVICE_CLASS) + "|" + r.get(ServingColumn.MODEL), k -> new ArrayList<>()).add(r);
            for (List<Row> g : groups.values()) {
                Row first = g.get(0);
                Accelerator chip = measuredChip(first.get(ServingColumn.DEVICE_CLASS));
                if (chip == null) {
                    notes.add("serving: device_class '" + first.get(ServingColumn.DEVICE_CLASS) + "' not in catalog; not costed (--usd-per-hour P prices it at P $/h)");
                    for (Row r : g) excluded.putIfAbsent(first.get(ServingColumn.DEVICE_CLASS) + " " + first.get(ServingColumn.MODEL) + " serving " + label(r), Exclusion.NO_CHIP);
                    continue;
                }
                measured(chip, first.get(ServingColumn.MODEL));
                List<Frontier.Point> pts = new ArrayList<>();
                CostRow.Accuracy groupAcc = CostRow.Accuracy.NONE; // a failed point priced under the override labels the frontier rows
                for (Row r : g) {
                    if ("false".equalsIgnoreCase(r.getOr(ServingColumn.VALID, "true"))) {
                        notes.add("serving point skipped (invalid: " + r.get(ServingColumn.INVALID_REASONS) + "): " + label(r));
                        continue;
                    }
                    // a point served by several devices (device_count, e.g. TP8 behind one endpoint) is priced per device:
                    // throughput_per_device is per device already; input/output throughput and power are the group's
                    double devices = numOr(r, ServingColumn.DEVICE_COUNT, 1);
                    if (!(devices >= 1) || devices != Math.rint(devices))
                        throw new BadInputException(file + ": device_count '" + r.get(ServingColumn.DEVICE_COUNT) + "' (" + label(r) + "): expected a whole number >= 1");
                    Frontier.Point pt = new Frontier.Point(num(r, ServingColumn.TOK_PER_S_PER_USER), num(r, ServingColumn.THROUGHPUT_PER_DEVICE),
                            num(r, ServingColumn.INPUT_THROUGHPUT) / devices, num(r, ServingColumn.OUTPUT_THROUGHPUT) / devices, num(r, ServingColumn.PREFILL_TIME_SHARE),
                            num(r, ServingColumn.TTFT_P99), num(r, ServingColumn.TPOT_P99), label(r) + (devices > 1 ? " on " + fmtInt(devices) + " devices" : ""));
                    CostRow.Accuracy acc = accuracy(r, null);
                    if (!acc.failed() || !acc.override().isEmpty()) pts.add(pt); // a failed point never enters the frontier without the override
                    if (acc.failed() && !acc.override().isEmpty()) groupAcc = acc;
                    String eb = r.get(ServingColumn.ENERGY_BASIS);
                    if (!r.get(ServingColumn.ENERGY_METER).isEmpty()) eb += " (" + r.get(ServingColumn.ENERGY_METER) + ", " + r.get(ServingColumn.ENERGY_BOUNDARY) + ")";
                    if ("false".equalsIgnoreCase(r.get(ServingColumn.ENERGY_VALID))) eb += " [energy window INVALID]";
                    List<String> ex = new ArrayList<>(List.of("measured serving point (" + r.get(ServingColumn.SCENARIO) + ", arrival " + r.get(ServingColumn.ARRIVAL) + ")"));
                    if (devices > 1) ex.add("served by " + fmtInt(devices) + " x " + chip.name() + " (device_count): throughput, power and $ per device");
                    if (acc.failed()) {
                        ex.add(accuracyAssumption(acc));
                        if (acc.override().isEmpty()) {
                            accuracyNote(first.get(ServingColumn.DEVICE_CLASS) + " " + first.get(ServingColumn.MODEL) + " serving " + label(r));
                            excluded.putIfAbsent(first.get(ServingColumn.DEVICE_CLASS) + " " + first.get(ServingColumn.MODEL) + " serving " + label(r), Exclusion.ACCURACY);
                        }
                    }
                    servingRow(chip, first, pt, num(r, ServingColumn.POWER) / devices, eb, num(r, ServingColumn.MBU), num(r, ServingColumn.MFU), "measured: serving.csv", ex, acc);
                }
                if (pts.isEmpty()) continue;
                Frontier fr;
                try {
                    fr = new Frontier(pts);
                } catch (BadInputException e) {
                    notes.add("serving frontier: " + e.getMessage());
                    continue;
                }
                double watts = meanPower(g) / numOr(first, ServingColumn.DEVICE_COUNT, 1);
                CostRow.Accuracy fa = groupAcc;
                if (o.targetTokPerSUser() != null) frontierRow(chip, first, fr, () -> fr.atUserSpeed(o.targetTokPerSUser()), watts, fa);
                if (o.ttftLimitMs() != null || o.tpotLimitMs() != null) frontierRow(chip, first, fr, () -> fr.atLimits(o.ttftLimitMs(), o.tpotLimitMs()), watts, fa);
            }
        }

        void frontierRow(Accelerator chip, Row first, Frontier fr, java.util.function.Supplier<Frontier.At> f, double watts, CostRow.Accuracy acc) {
            try {
                Frontier.At at = f.get();
                List<String> ex = new ArrayList<>(List.of("cost at equal service level: " + at.method() + " on the Pareto frontier of " + fr.points().size() + " points (throughput per device vs tok/s/user)"));
                if (acc.failed()) ex.add(accuracyAssumption(acc));
                servingRow(chip, first, at.point(), watts, "mean of the sweep's power", Double.NaN, Double.NaN,
                        "measured sweep, interpolated: " + at.method(), ex, acc);
            } catch (BadInputException e) {
                notes.add("serving target not costed: " + e.getMessage());
            }
        }

        void servingRow(Accelerator chip, Row first, Frontier.Point pt, double watts, String energyBasis,
                        double mbu, double mfu, String basis, List<String> extra, CostRow.Accuracy acc) {
            double f = pt.prefillShare();
            double preTps, decTps;
            List<String> a = new ArrayList<>(extra);
            if (!Double.isNaN(f) && f > 0 && f < 1 && pt.inputTokPerS() > 0 && pt.outputTokPerS() > 0) {
                preTps = pt.inputTokPerS() / f;
                decTps = pt.outputTokPerS() / (1 - f);
                a.add("input tokens charged " + Projection.f3(f) + " of device time (prefill_time_share), output tokens the rest");
            } else {
                double tot = (Double.isNaN(pt.inputTokPerS()) ? 0 : pt.inputTokPerS()) + (Double.isNaN(pt.outputTokPerS()) ? pt.deviceTokPerS() : pt.outputTokPerS());
                preTps = decTps = tot;
                a.add("no prefill_time_share: BLENDED $/M over input + output tokens");
            }
            Power pw = Double.isNaN(watts) ? estimatedPower(chip) : new Power(watts, energyBasis.isEmpty() ? "serving.csv" : energyBasis);
            List<Tier> ts = acc.failed() && acc.override().isEmpty() ? List.of(accuracyTier()) : tiers(chip, pw.watts, pw.basis);
            for (Tier t : ts)
                rows.add(row(chip, "measured", t, "serving " + pt.label(), first.get(ServingColumn.MODEL), first.get(ServingColumn.WEIGHTS), null, pw, pw,
                        preTps, decTps, pt.userTokPerS(), mbu, mfu, labelled(basis, acc), a).with(acc));
        }

        // ------------------------------------------------------------ accuracy (issue 17)

        /**
         * The accuracy columns of a measured point from its row (and its prefill partner's): {@code fail} when either
         * failed its gate, with the override marked when {@link CostOptions#priceFailedAccuracy()} is set.
         */
        CostRow.Accuracy accuracy(Row d, Row pf) {
            CostRow.Accuracy a = CostRow.Accuracy.of(d.get(EngineBenchColumn.ACCURACY_VERDICT)); // serving.csv has the same header
            if (!a.failed() && pf != null && dev.infercost.results.ResultsFolderValidator.accuracyFailed(pf)) a = CostRow.Accuracy.of("fail");
            return a.failed() && o.priceFailedAccuracy() ? a.overridden() : a;
        }

        static String accuracyAssumption(CostRow.Accuracy a) {
            return a.override().isEmpty()
                    ? "ACCURACY CHECK FAILED for this engine/model pair: not priced (pass " + CostRow.Accuracy.OVERRIDE_FLAG + " to price it anyway)"
                    : "ACCURACY CHECK FAILED for this engine/model pair: priced only because of " + CostRow.Accuracy.OVERRIDE_FLAG;
        }

        /** The basis text, with a visible tag on rows priced under the accuracy override. */
        static String labelled(String basis, CostRow.Accuracy a) {
            return a.failed() && !a.override().isEmpty() ? basis + " [ACCURACY FAILED: " + a.override() + "]" : basis;
        }

        /** The price "tier" of a point that is not priced because its accuracy gate failed: every $ column empty. */
        static Tier accuracyTier() {
            return new Tier("not-priced", Double.NaN, null, "none: accuracy gate failed, a wrong result is not priced (" + CostRow.Accuracy.OVERRIDE_FLAG + " prices it anyway)",
                    List.of(), List.of(), List.of());
        }

        void accuracyNote(String what) {
            String n = "not priced: " + what + ": its accuracy gate failed (accuracy_verdict=fail); written to cost_uncosted.csv without prices ("
                    + CostRow.Accuracy.OVERRIDE_FLAG + " prices it anyway)";
            if (!notes.contains(n)) notes.add(n);
        }

        // ------------------------------------------------------------ shared pieces

        record Power(double watts, String basis) {}

        Accelerator measuredChip(String deviceClass) {
            Accelerator chip = cat.find(deviceClass);
            if (chip == null && deviceClass != null && deviceClass.toLowerCase(Locale.ROOT).startsWith("cpu")) chip = cat.find(Accelerator.CPU_HOST);
            if (o.usdPerHour() != null) {
                if (!(o.usdPerHour() > 0)) throw new BadInputException("--usd-per-hour " + o.usdPerHour() + ": expected a positive price in $/h");
                if (chip == null) {
                    chip = new Accelerator(deviceClass, "unknown", new LinkedHashMap<>(), new ArrayList<>());
                }
                if (chip.prices().stream().noneMatch(q -> q.tier().equals("user"))) {
                    PriceQuote q = new PriceQuote("user", "user_usd_per_hour", "--usd-per-hour",
                            CatalogValue.of(o.usdPerHour(), "USD/accel-hr", "assumed", "--usd-per-hour", "command line", true));
                    if (cat.find(chip.name()) == chip) cat.setPrice(chip.name(), q); else chip.prices().add(q);
                }
            }
            return chip;
        }

        /** Every price tier available for a chip: owner TCO (if priced) and the cheapest quote of each published tier. */
        List<Tier> tiers(Accelerator chip, double watts, String powerBasis) {
            List<Tier> out = new ArrayList<>();
            boolean userOnly = o.usdPerHour() != null && chip.prices().stream().anyMatch(q -> q.tier().equals("user"));
            if (!userOnly) {
                try {
                    if (!Double.isNaN(watts) && (chip.get("unit_price") != null || chip.get("server_cost_per_gpu") != null || chip.get("system_cost_per_gpu") != null)) {
                        Tco t = Tco.forChip(chip, cat, watts, powerBasis, serverPowerFactor(chip));
                        out.add(new Tier("owner-tco", t.usdPerHour(), t, "owner TCO", t.assumptions(), t.sources(), t.overridden()));
                    }
                } catch (BadInputException e) {
                    notes.add("owner-tco not computed for " + chip.name() + ": " + e.getMessage());
                }
            }
            for (Map.Entry<String, List<PriceQuote>> e : chip.quotesByTier().entrySet()) {
                if (userOnly && !e.getKey().equals("user")) continue;
                List<PriceQuote> qs = e.getValue();
                // point quotes before published ranges; ranges only when no point quote exists
                List<PriceQuote> points = qs.stream().filter(q -> !q.price().isRange()).toList();
                PriceQuote q = (points.isEmpty() ? qs : points).get(0);
                List<String> a = new ArrayList<>();
                a.add("price " + q.provider() + " " + q.metric() + " = " + q.price().describe()
                        + (q.price().sourceDate().isEmpty() ? "" : " dated " + q.price().sourceDate()));
                if (qs.size() > 1) a.add("cheapest of " + qs.size() + " " + e.getKey() + " quotes in the catalog");
                String basis = e.getKey() + ": " + q.provider() + (q.price().lowConfidence() ? " [LOW CONFIDENCE]" : "")
                        + (q.price().isRange() ? " [RANGE midpoint]" : "") + (q.price().overridden() ? " [OVERRIDDEN]" : "")
                        + ("assumed".equals(q.price().provenance()) ? " [assumed]" : "");
                out.add(new Tier(e.getKey(), q.price().value(), null, basis, a,
                        q.price().sourceUrl().isEmpty() ? List.of() : List.of(q.price().sourceUrl()),
                        q.price().overridden() ? List.of(q.metric() + " " + q.provider()) : List.of()));
            }
            if (out.isEmpty())
                out.add(new Tier("none", Double.NaN, null, "none: no price for " + chip.name() + " in the catalog (add unit_price or a cloud_* row with --catalog)",
                        List.of("no price in the catalog: $ columns empty"), List.of(), List.of()));
            return out;
        }

        double serverPowerFactor(Accelerator chip) {
            if (chip.name().equals(Accelerator.CPU_HOST)) return 1.0;
            return cat.dc("chip_to_server_power").value();
        }

        /** Facility-boundary factor for Wh/query: server power factor x PUE. */
        double facility(Accelerator chip) { return serverPowerFactor(chip) * cat.dc("pue").value(); }

        Power estimatedPower(Accelerator chip) {
            CatalogValue tdp = chip.get("tdp");
            if (tdp == null) return new Power(Double.NaN, "unknown: no TDP in catalog");
            double frac = cat.dc("power_draw_fraction").value();
            return new Power(Accelerator.toSi(tdp) * frac, "estimated: TDP " + CatalogValue.fmt(Accelerator.toSi(tdp)) + " W x " + CatalogValue.fmt(frac) + " (power_draw_fraction, Epoch)" + (tdp.provenance().equals("assumed") ? "; TDP assumed" : ""));
        }

        Power power(Row r, List<Row> energy, Accelerator chip) {
            double w = num(r, EngineBenchColumn.POWER);
            if (w >= 0) {
                String basis = r.get(EngineBenchColumn.ENERGY_BASIS);
                String det = basis.isEmpty() ? "engine_bench.csv" : basis;
                if (!r.get(EngineBenchColumn.ENERGY_METER).isEmpty()) det += " (" + r.get(EngineBenchColumn.ENERGY_METER) + ", " + r.get(EngineBenchColumn.ENERGY_BOUNDARY) + ")";
                if ("false".equalsIgnoreCase(r.get(EngineBenchColumn.ENERGY_VALID))) det += " [energy window INVALID]";
                return new Power(w, det);
            }
            double sum = 0; int n = 0;
            for (Row e : energy) {
                double avg = num(e, EnergyColumn.AVG_POWER);
                if (avg >= 0 && !"false".equalsIgnoreCase(e.get(EnergyColumn.VALID)) && !e.get(EnergyColumn.WINDOW).toLowerCase(Locale.ROOT).contains("idle")) { sum += avg; n++; }
            }
            if (n > 0) return new Power(sum / n, "energy.csv mean avg_power of " + n + " windows");
            return chip == null ? new Power(Double.NaN, "unknown") : estimatedPower(chip);
        }

        double meanPower(List<Row> g) {
            double s = 0; int n = 0;
            for (Row r : g) { double w = num(r, ServingColumn.POWER); if (w >= 0) { s += w; n++; } }
            return n == 0 ? Double.NaN : s / n;
        }

        /** MBU recomputed from bytes per step and step rate when the peak is known, else the row's mbu. */
        double mbu(Row d, Accelerator chip) {
            double bytes = num(d, EngineBenchColumn.BYTES_PER_STEP), t = num(d, EngineBenchColumn.THROUGHPUT), b = num(d, EngineBenchColumn.BATCH_SIZE);
            double peak = peakBandwidth(d, chip);
            if (bytes > 0 && peak > 0 && b > 0) return bytes * (t / b) / peak;
            double m = num(d, EngineBenchColumn.MBU);
            if (m > 0) return m;
            if (bytes > 0 && b > 0) return Double.NaN; // a device without peak figures (unknown-gpu): MBU unknown, still priced with --usd-per-hour
            throw new BadInputException("engine_bench.csv decode batch " + fmtInt(b) + ": no mbu and no bytes_per_step [B] + peak bandwidth to compute it");
        }

        double mfu(Row pf, Accelerator chip, String dtype) {
            double flops = num(pf, EngineBenchColumn.FLOPS_PER_TOKEN), t = num(pf, EngineBenchColumn.THROUGHPUT);
            double peak = peakFlops(pf, chip, dtype);
            if (flops > 0 && peak > 0) return t * flops / peak;
            double m = num(pf, EngineBenchColumn.MFU);
            return m > 0 ? m : Double.NaN;
        }

        /** Peak bandwidth [B/s]: a user override of the catalog wins, then the row's peak, then the catalog. */
        double peakBandwidth(Row r, Accelerator chip) {
            CatalogValue c = chip == null ? null : chip.get("memory_bandwidth");
            if (c != null && c.overridden()) return Accelerator.toSi(c);
            double rowPeak = num(r, EngineBenchColumn.PEAK_BANDWIDTH);
            if (rowPeak > 0) return rowPeak * 1e9;
            return c == null ? Double.NaN : Accelerator.toSi(c);
        }

        double peakFlops(Row r, Accelerator chip, String dtype) {
            CatalogValue c = chip == null ? null : chip.get(Accelerator.flopsMetric(dtype));
            if (c != null && c.overridden()) return Accelerator.toSi(c);
            double rowPeak = num(r, EngineBenchColumn.PEAK_FLOPS);
            if (rowPeak > 0) return rowPeak * 1e12;
            return c == null ? Double.NaN : Accelerator.toSi(c);
        }

        CostRow row(Accelerator chip, String provenance, Tier t, String op, String model, String weights, Integer batch,
                    Power decodePower, Power prefillPower, double preTps, double decTps, double userTps, double mbu, double mfu,
                    String basis, List<String> extra) {
            double usdh = t.usdPerHour();
            boolean priced = !Double.isNaN(usdh);
            double inM = priced && preTps > 0 ? Economics.usdPerMillionTokens(usdh, preTps) : Double.NaN;
            double outM = priced && decTps > 0 ? Economics.usdPerMillionTokens(usdh, decTps) : Double.NaN;
            double perQuery = Double.NaN, wh = Double.NaN;
            if (preTps > 0 && decTps > 0) {
                double secs = Economics.deviceSecondsPerQuery(profile.isl(), profile.osl(), preTps, decTps);
                if (priced) perQuery = Economics.usdPerQuery(usdh, secs);
                if (decodePower.watts >= 0 && prefillPower.watts >= 0)
                    wh = (Economics.whPerQuery(prefillPower.watts, profile.isl() / preTps) + Economics.whPerQuery(decodePower.watts, profile.osl() / decTps)) * facility(chip);
            }
            List<String> a = new ArrayList<>(extra);
            a.addAll(t.assumptions());
            if (!Double.isNaN(wh)) a.add("Wh/query at facility boundary: device W x server factor " + CatalogValue.fmt(serverPowerFactor(chip)) + " x PUE " + cat.dc("pue").describe());
            List<String> sources = new ArrayList<>(t.sources());
            Tco tco = t.tco();
            return new CostRow(runId, chip.name(), chip.vendor(), chip.silicon(), provenance, t.name(), op, model, weights, batch,
                    usdh, tco == null ? Double.NaN : tco.capexPerHour(), tco == null ? Double.NaN : tco.powerCostPerHour(),
                    tco == null ? Double.NaN : tco.otherOpexPerHour(), decodePower.watts, decodePower.basis, preTps, decTps, userTps,
                    inM, outM, profile.name(), profile.isl(), profile.osl(), perQuery, wh, mbu, mfu, basis + "; price " + t.basis(),
                    a, sources, t.overridden(), CostRow.Extra.NONE, CostRow.Accuracy.NONE);
        }

        static Row partner(List<Row> prefill, int batch) {
            for (Row p : prefill) if ((int) num(p, EngineBenchColumn.BATCH_SIZE) == batch) return p;
            return prefill.stream().max(Comparator.comparingDouble(p -> num(p, EngineBenchColumn.THROUGHPUT))).orElse(null);
        }

        /**
         * The shape of a measured model: a preset name ("preset:stories110M"), or the path of a llama2.c checkpoint
         * whose 7-int32 little-endian header (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
         * negative vocab = unshared classifier) is read. Null when neither applies.
         */
        static LlamaConfig shapeOf(String model) {
            if (model == null) return null;
            String m = model.startsWith("preset:") ? model.substring(7) : model;
            String c = PresetShapes.canonical(m);
            if (c != null) return PresetShapes.config(c);
            try {
                Path f = Path.of(m);
                if (m.endsWith(".bin") && Files.isRegularFile(f) && Files.size(f) >= 28) {
                    java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(Files.newInputStream(f).readNBytes(28)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    int dim = h.getInt(), hidden = h.getInt(), layers = h.getInt(), heads = h.getInt(), kv = h.getInt(), vocab = h.getInt(), seq = h.getInt();
                    return new LlamaConfig(dim, hidden, layers, heads, kv, Math.abs(vocab), seq, 10000f, 1e-5f, vocab > 0);
                }
            } catch (IOException | RuntimeException e) {
                return null;
            }
            return null;
        }

        static String label(Row r) {
            String sc = r.get(ServingColumn.SCENARIO);
            double rate = num(r, ServingColumn.TARGET_RATE), conc = num(r, ServingColumn.CONCURRENCY);
            if (rate > 0) return sc + " rate=" + CatalogValue.fmt(rate) + " req/s";
            if (conc > 0) return sc + " concurrency=" + fmtInt(conc);
            return sc;
        }
    }

    /**
     * What {@code infercost cost --validate} prints: the leave-one-out validation of every calibration row and the
     * hyperscale owner $/GPU-hour against InferenceX's.
     *
     * @param catalog     user catalog or null
     * @param calibration extra calibration rows or null
     */
    public static String validationReport(Path catalog, Path calibration) {
        Catalog cat = Catalog.load(catalog);
        Calibrator c = new Calibrator(cat, dev.infercost.hardware.Calibration.bundled().with(calibration));
        return Calibrator.render(c.validate()) + "\n" + HyperscaleTco.render(cat);
    }

    /** The model to project: --project-model, else the measured model when it names a known shape; null otherwise. */
    static ModelShape projectionModel(CostOptions o, List<Row> engine, List<Row> serving) {
        if (o.projectModel() != null) return ModelShape.of(o.projectModel());
        List<Row> rows = new ArrayList<>(engine);
        rows.addAll(serving);
        for (Row r : rows) {
                String m = r.get(EngineBenchColumn.MODEL); // serving.csv's model column has the same header (ServingColumn.MODEL)
                if (m.isBlank()) continue;
                if (ModelShape.known(m)) return ModelShape.of(m);
                String cell = r.get(EngineBenchColumn.MODEL_SHAPE); // engine_bench.csv only; blank in serving rows
                LlamaConfig c = cell.isBlank() ? Builder.shapeOf(m) : LlamaConfig.parseShape(cell);
                if (c != null) return ModelShape.dense(Path.of(m).getFileName().toString(), c, "shape of the measured model (" + (cell.isBlank() ? "llama2.c header" : "model_shape column") + ")");
            }
        return null;
    }

    static String pct(double f) { return String.format(Locale.ROOT, "%.0f%%", f * 100); }

    static String fmtNum(double d) { return CatalogValue.fmt(d); }

    /** The cell as a number, NaN when blank. @throws BadInputException naming file, row, column and value when not a finite number */
    static double num(Row r, Column col) { return r.num(col, Double.NaN); }

    static double numOr(Row r, Column col, double dflt) { return r.num(col, dflt); }

    static String fmtInt(double d) { return Double.isNaN(d) ? "?" : Long.toString(Math.round(d)); }
}
