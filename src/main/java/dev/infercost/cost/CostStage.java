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
import dev.infercost.results.CsvTable;
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
 * price, models that do not fit, missing spec figures, with the reason). Neither file is ever overwritten: an
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
        List<Map<String, String>> energy = Files.exists(en) ? CsvTable.read(en) : List.of();
        List<Map<String, String>> engine = Files.exists(eb) ? CsvTable.read(eb) : List.of();
        List<Map<String, String>> serving = Files.exists(sv) ? CsvTable.read(sv) : List.of();
        String runId = dir.runId();
        for (List<Map<String, String>> t : List.of(engine, serving))
            if (!t.isEmpty() && t.get(0).get("run_id") != null && !t.get(0).get("run_id").isBlank()) { runId = t.get(0).get("run_id"); break; }
        List<String> notes = new ArrayList<>();
        for (String s : cat.overrides()) notes.add("overridden: " + s);
        // accuracy failures and impossible figures are never priced (issue 17)
        engine = dev.infercost.results.ResultsFolderValidator.priceable(engine, eb, notes, System.err);
        serving = dev.infercost.results.ResultsFolderValidator.priceable(serving, sv, notes, System.err);
        if (engine.isEmpty() && serving.isEmpty())
            throw new BadInputException(p + ": no measured point can be priced (" + String.join("; ", notes.stream().filter(x -> x.startsWith("not priced")).toList()) + ")");
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
        String table = ProcurementTable.render(first.rows, first.tableBatch, profile, notes, written, first.projectionLabel, first.projectionTarget);
        return new CostResult(costed, uncosted, written, List.copyOf(notes), table);
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
                throw new dev.infercost.IoFaultException(out + ": cannot create output folder (" + e + ")", e);
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

        /**
         * Why a measured engine row is noisy: its JMH 99.9% confidence half-width ({@code throughput_error [tok/s]})
         * exceeds its mean; null when it is not (or the row has no error column).
         */
        static String noisy(Map<String, String> r) {
            double err = num(r, "throughput_error [tok/s]"), mean = num(r, "throughput [tok/s]");
            if (err > mean) return "JMH 99.9% error " + CatalogValue.fmt(err) + " tok/s > mean " + CatalogValue.fmt(mean) + " tok/s (" + r.get("phase") + " batch " + fmtInt(num(r, "batch_size")) + ")";
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

        record Series(Accelerator chip, String provenance, String model, String weights, Power power, List<Frontier.Point> points, List<String> assumptions) {}

        void addPoint(Accelerator chip, String provenance, String model, String weights, Power power, int batch, double prefill, double decode, List<String> a) {
            Series s = series.computeIfAbsent(chip.name() + "|" + provenance + "|" + model, k -> new Series(chip, provenance, model, weights, power, new ArrayList<>(), new ArrayList<>(a)));
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

        void engine(List<Map<String, String>> all, List<Map<String, String>> energy, Path file) {
            if (all.isEmpty()) { notes.add(file + ": no rows"); return; }
            for (String col : List.of("device_class", "model", "phase", "batch_size", "throughput [tok/s]"))
                if (!all.get(0).containsKey(col)) throw new BadInputException(file + ": column '" + col + "' is missing (see ResultSchemas.ENGINE_BENCH_COLUMNS)");
            if (o.batch() != null) {
                java.util.Set<String> batches = new java.util.TreeSet<>();
                for (Map<String, String> r : all) if ("decode".equalsIgnoreCase(r.get("phase"))) batches.add(fmtInt(num(r, "batch_size")));
                if (!batches.contains(Integer.toString(o.batch())))
                    throw new BadInputException("--batch " + o.batch() + ": " + file + " has no decode row at that batch (measured batches: " + String.join(", ", batches) + ")");
            }
            Map<String, List<Map<String, String>>> groups = new LinkedHashMap<>();
            for (Map<String, String> r : all) groups.computeIfAbsent(r.get("device_class") + "|" + r.get("model") + "|" + r.getOrDefault("dtype", "") + "|" + r.getOrDefault("backend", ""), k -> new ArrayList<>()).add(r);
            for (List<Map<String, String>> g : groups.values()) {
                if (g.stream().allMatch(r -> "encode".equalsIgnoreCase(r.get("phase")))) {
                    notes.add("encoder rows (" + g.get(0).get("model") + ") are measured but not priced per generated token: they have no decode phase");
                    continue;
                }
                try {
                    engineGroup(g, energy, file);
                } catch (BadInputException e) {
                    notes.add("not costed: " + g.get(0).get("device_class") + " " + g.get(0).get("model") + ": " + e.getMessage());
                }
            }
        }

        void engineGroup(List<Map<String, String>> g, List<Map<String, String>> energy, Path file) {
            Map<String, String> first = g.get(0);
            String deviceClass = first.get("device_class"), model = first.get("model"), dtype = first.getOrDefault("dtype", "fp32");
            Accelerator chip = measuredChip(deviceClass);
            List<Map<String, String>> decode = new ArrayList<>(), prefill = new ArrayList<>();
            for (Map<String, String> r : g) {
                double t = num(r, "throughput [tok/s]");
                if (!(t > 0)) continue;
                if ("decode".equalsIgnoreCase(r.get("phase"))) decode.add(r);
                else if ("prefill".equalsIgnoreCase(r.get("phase"))) prefill.add(r);
            }
            if (decode.isEmpty()) throw new BadInputException(file + ": no decode row with a positive throughput for " + deviceClass + " " + model);
            decode.sort(Comparator.comparingInt(r -> (int) num(r, "batch_size")));
            int maxBatch = (int) num(decode.get(decode.size() - 1), "batch_size");
            if (tableBatch == null) tableBatch = o.batch() != null ? o.batch() : maxBatch;

            String measuredModel = model;
            String shapeCell = decode.get(0).getOrDefault("model_shape", "");
            LlamaConfig measuredShape = shapeCell.isBlank() ? shapeOf(model) : LlamaConfig.parseShape(shapeCell);

            for (Map<String, String> d : decode) {
                int batch = (int) num(d, "batch_size");
                Map<String, String> pf = partner(prefill, batch);
                double mbu = mbu(d, chip), mfu = pf == null ? Double.NaN : mfu(pf, chip, dtype);
                double decTps = num(d, "throughput [tok/s]"), preTps = pf == null ? Double.NaN : num(pf, "throughput [tok/s]");
                if (measuredShape != null && profile.isl() + profile.osl() > measuredShape.seqLen()) {
                    String warn = "profile " + profile.name() + " (ISL+OSL " + (profile.isl() + profile.osl()) + ") exceeds the measured model's context "
                            + measuredShape.seqLen() + ": its $/query applies per-token rates measured at a shorter context";
                    if (!notes.contains(warn)) notes.add(warn);
                }
                String op = "decode batch=" + batch + " ctx=" + fmtInt(num(d, "context [tok]"))
                        + (pf == null ? "" : "; prefill batch=" + fmtInt(num(pf, "batch_size")) + " isl=" + fmtInt(num(pf, "isl [tok]")));
                List<String> a = new ArrayList<>();
                a.add("measured " + d.get("backend") + " on " + d.get("device") + " (" + d.get("weights") + " weights, " + dtype + ")");
                a.add("throughputs measured at context " + fmtInt(num(d, "context [tok]")) + (pf == null ? "" : " / ISL " + fmtInt(num(pf, "isl [tok]"))) + ", applied to profile " + profile.name() + " " + profile.isl() + "/" + profile.osl());
                if (measuredShape != null && profile.isl() + profile.osl() > measuredShape.seqLen())
                    a.add("profile ISL+OSL " + (profile.isl() + profile.osl()) + " exceeds the measured model's context " + measuredShape.seqLen() + "; per-token rates measured at shorter context applied anyway");
                if (pf == null) a.add("no prefill row: input tokens not costed");
                else if ((int) num(pf, "batch_size") != batch) a.add("prefill at batch " + fmtInt(num(pf, "batch_size")) + " (highest measured prefill throughput; no prefill row at batch " + batch + ")");
                String acc = d.getOrDefault("accuracy_verdict", "");
                if ("fail".equalsIgnoreCase(acc)) a.add("ACCURACY CHECK FAILED for this engine/model pair");
                Power pw = power(d, energy, chip);
                Power ppw = pf == null ? pw : power(pf, energy, chip);
                if (chip == null) {
                    notes.add("device_class '" + deviceClass + "' is not in the catalog; measured rows are priced only with --usd-per-hour or a catalog row");
                    continue;
                }
                String noise = noisy(d);
                if (noise == null && pf != null) noise = noisy(pf);
                if (noise != null) a.add("NOISY: " + noise + (o.allowNoisy() ? "; used anyway (--allow-noisy)" : "; excluded from cost.csv and every derived figure (pass --allow-noisy to use it)"));
                for (Tier t : tiers(chip, pw.watts, pw.basis)) {
                    CostRow r = row(chip, "measured", t, op, measuredModel, d.getOrDefault("weights", ""), batch, pw, ppw, preTps, decTps,
                            numOr(d, "throughput_per_seq [tok/s/user]", decTps / batch), mbu, mfu, "measured: engine_bench.csv", a).with(CostRow.Extra.NONE.withNoisy(noise != null));
                    (noise != null && !o.allowNoisy() ? noisyRows : rows).add(r);
                }
                if (noise != null && !o.allowNoisy()) {
                    String n = "noisy: " + deviceClass + " " + model + " decode batch " + batch + ": " + noise + "; excluded (written to cost_uncosted.csv flagged noisy; --allow-noisy uses it)";
                    if (!notes.contains(n)) notes.add(n);
                    continue;
                }
                addPoint(chip, "measured", measuredModel, d.getOrDefault("weights", ""), pw, batch, preTps, decTps, a);
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
                            s.provenance().equals("measured") ? "measured: engine_bench.csv, interpolated across batch sizes" : "projected: roofline fraction x " + s.chip().name() + " spec, interpolated across batch sizes", a));
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

        void serving(List<Map<String, String>> all, Path file) {
            if (all.isEmpty()) return;
            for (String col : List.of("device_class", "throughput_per_device [tok/s/device]", "tok_per_s_per_user [tok/s/user]"))
                if (!all.get(0).containsKey(col)) throw new BadInputException(file + ": column '" + col + "' is missing (see ResultSchemas.SERVING_COLUMNS)");
            Map<String, List<Map<String, String>>> groups = new LinkedHashMap<>();
            for (Map<String, String> r : all) groups.computeIfAbsent(r.get("device_class") + "|" + r.get("model"), k -> new ArrayList<>()).add(r);
            for (List<Map<String, String>> g : groups.values()) {
                Map<String, String> first = g.get(0);
                Accelerator chip = measuredChip(first.get("device_class"));
                if (chip == null) { notes.add("serving: device_class '" + first.get("device_class") + "' not in catalog; not costed"); continue; }
                measured(chip, first.get("model"));
                List<Frontier.Point> pts = new ArrayList<>();
                for (Map<String, String> r : g) {
                    if ("false".equalsIgnoreCase(r.getOrDefault("valid", "true"))) {
                        notes.add("serving point skipped (invalid: " + r.getOrDefault("invalid_reasons", "") + "): " + label(r));
                        continue;
                    }
                    // a point served by several devices (device_count, e.g. TP8 behind one endpoint) is priced per device:
                    // throughput_per_device is per device already; input/output throughput and power are the group's
                    double devices = numOr(r, ServingColumn.DEVICE_COUNT.header(), 1);
                    if (!(devices >= 1) || devices != Math.rint(devices))
                        throw new BadInputException(file + ": device_count '" + r.get(ServingColumn.DEVICE_COUNT.header()) + "' (" + label(r) + "): expected a whole number >= 1");
                    Frontier.Point pt = new Frontier.Point(num(r, "tok_per_s_per_user [tok/s/user]"), num(r, "throughput_per_device [tok/s/device]"),
                            num(r, "input_throughput [tok/s]") / devices, num(r, "output_throughput [tok/s]") / devices, num(r, "prefill_time_share"),
                            num(r, "ttft_p99 [ms]"), num(r, "tpot_p99 [ms]"), label(r) + (devices > 1 ? " on " + fmtInt(devices) + " devices" : ""));
                    pts.add(pt);
                    String eb = r.getOrDefault("energy_basis", "");
                    if (!r.getOrDefault("energy_meter", "").isEmpty()) eb += " (" + r.get("energy_meter") + ", " + r.getOrDefault("energy_boundary", "") + ")";
                    if ("false".equalsIgnoreCase(r.getOrDefault("energy_valid", ""))) eb += " [energy window INVALID]";
                    List<String> ex = new ArrayList<>(List.of("measured serving point (" + r.getOrDefault("scenario", "") + ", arrival " + r.getOrDefault("arrival", "") + ")"));
                    if (devices > 1) ex.add("served by " + fmtInt(devices) + " x " + chip.name() + " (device_count): throughput, power and $ per device");
                    servingRow(chip, first, pt, num(r, "power [W]") / devices, eb, num(r, "mbu"), num(r, "mfu"), "measured: serving.csv", ex);
                }
                if (pts.isEmpty()) continue;
                Frontier fr;
                try {
                    fr = new Frontier(pts);
                } catch (BadInputException e) {
                    notes.add("serving frontier: " + e.getMessage());
                    continue;
                }
                double watts = meanPower(g) / numOr(first, ServingColumn.DEVICE_COUNT.header(), 1);
                if (o.targetTokPerSUser() != null) frontierRow(chip, first, fr, () -> fr.atUserSpeed(o.targetTokPerSUser()), watts);
                if (o.ttftLimitMs() != null || o.tpotLimitMs() != null) frontierRow(chip, first, fr, () -> fr.atLimits(o.ttftLimitMs(), o.tpotLimitMs()), watts);
            }
        }

        void frontierRow(Accelerator chip, Map<String, String> first, Frontier fr, java.util.function.Supplier<Frontier.At> f, double watts) {
            try {
                Frontier.At at = f.get();
                servingRow(chip, first, at.point(), watts, "mean of the sweep's power", Double.NaN, Double.NaN,
                        "measured sweep, interpolated: " + at.method(),
                        List.of("cost at equal service level: " + at.method() + " on the Pareto frontier of " + fr.points().size() + " points (throughput per device vs tok/s/user)"));
            } catch (BadInputException e) {
                notes.add("serving target not costed: " + e.getMessage());
            }
        }

        void servingRow(Accelerator chip, Map<String, String> first, Frontier.Point pt, double watts, String energyBasis,
                        double mbu, double mfu, String basis, List<String> extra) {
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
            for (Tier t : tiers(chip, pw.watts, pw.basis))
                rows.add(row(chip, "measured", t, "serving " + pt.label(), first.get("model"), first.getOrDefault("weights", ""), null, pw, pw,
                        preTps, decTps, pt.userTokPerS(), mbu, mfu, basis, a));
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

        Power power(Map<String, String> r, List<Map<String, String>> energy, Accelerator chip) {
            double w = num(r, "power [W]");
            if (w >= 0) {
                String basis = r.getOrDefault("energy_basis", "");
                String det = basis.isEmpty() ? "engine_bench.csv" : basis;
                if (!r.getOrDefault("energy_meter", "").isEmpty()) det += " (" + r.get("energy_meter") + ", " + r.getOrDefault("energy_boundary", "") + ")";
                if ("false".equalsIgnoreCase(r.getOrDefault("energy_valid", ""))) det += " [energy window INVALID]";
                return new Power(w, det);
            }
            double sum = 0; int n = 0;
            for (Map<String, String> e : energy) {
                double avg = num(e, "avg_power [W]");
                if (avg >= 0 && !"false".equalsIgnoreCase(e.getOrDefault("valid", "")) && !e.getOrDefault("window", "").toLowerCase(Locale.ROOT).contains("idle")) { sum += avg; n++; }
            }
            if (n > 0) return new Power(sum / n, "energy.csv mean avg_power of " + n + " windows");
            return chip == null ? new Power(Double.NaN, "unknown") : estimatedPower(chip);
        }

        double meanPower(List<Map<String, String>> g) {
            double s = 0; int n = 0;
            for (Map<String, String> r : g) { double w = num(r, "power [W]"); if (w >= 0) { s += w; n++; } }
            return n == 0 ? Double.NaN : s / n;
        }

        /** MBU recomputed from bytes per step and step rate when the peak is known, else the row's mbu. */
        double mbu(Map<String, String> d, Accelerator chip) {
            double bytes = num(d, "bytes_per_step [B]"), t = num(d, "throughput [tok/s]"), b = num(d, "batch_size");
            double peak = peakBandwidth(d, chip);
            if (bytes > 0 && peak > 0 && b > 0) return bytes * (t / b) / peak;
            double m = num(d, "mbu");
            if (m > 0) return m;
            if (bytes > 0 && b > 0) return Double.NaN; // a device without peak figures (unknown-gpu): MBU unknown, still priced with --usd-per-hour
            throw new BadInputException("engine_bench.csv decode batch " + fmtInt(b) + ": no mbu and no bytes_per_step [B] + peak bandwidth to compute it");
        }

        double mfu(Map<String, String> pf, Accelerator chip, String dtype) {
            double flops = num(pf, "flops_per_token [FLOP]"), t = num(pf, "throughput [tok/s]");
            double peak = peakFlops(pf, chip, dtype);
            if (flops > 0 && peak > 0) return t * flops / peak;
            double m = num(pf, "mfu");
            return m > 0 ? m : Double.NaN;
        }

        /** Peak bandwidth [B/s]: a user override of the catalog wins, then the row's peak, then the catalog. */
        double peakBandwidth(Map<String, String> r, Accelerator chip) {
            CatalogValue c = chip == null ? null : chip.get("memory_bandwidth");
            if (c != null && c.overridden()) return Accelerator.toSi(c);
            double rowPeak = num(r, "peak_bandwidth [GB/s]");
            if (rowPeak > 0) return rowPeak * 1e9;
            return c == null ? Double.NaN : Accelerator.toSi(c);
        }

        double peakFlops(Map<String, String> r, Accelerator chip, String dtype) {
            CatalogValue c = chip == null ? null : chip.get(Accelerator.flopsMetric(dtype));
            if (c != null && c.overridden()) return Accelerator.toSi(c);
            double rowPeak = num(r, "peak_flops [TFLOP/s]");
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
                    a, sources, t.overridden(), CostRow.Extra.NONE);
        }

        static Map<String, String> partner(List<Map<String, String>> prefill, int batch) {
            for (Map<String, String> p : prefill) if ((int) num(p, "batch_size") == batch) return p;
            return prefill.stream().max(Comparator.comparingDouble(p -> num(p, "throughput [tok/s]"))).orElse(null);
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

        static String label(Map<String, String> r) {
            String sc = r.getOrDefault("scenario", "");
            double rate = num(r, "target_rate [req/s]"), conc = num(r, "concurrency");
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
    static ModelShape projectionModel(CostOptions o, List<Map<String, String>> engine, List<Map<String, String>> serving) {
        if (o.projectModel() != null) return ModelShape.of(o.projectModel());
        for (List<Map<String, String>> t : List.of(engine, serving))
            for (Map<String, String> r : t) {
                String m = r.get("model");
                if (m == null) continue;
                if (ModelShape.known(m)) return ModelShape.of(m);
                String cell = r.getOrDefault("model_shape", "");
                LlamaConfig c = cell.isBlank() ? Builder.shapeOf(m) : LlamaConfig.parseShape(cell);
                if (c != null) return ModelShape.dense(Path.of(m).getFileName().toString(), c, "shape of the measured model (" + (cell.isBlank() ? "llama2.c header" : "model_shape column") + ")");
            }
        return null;
    }

    static String pct(double f) { return String.format(Locale.ROOT, "%.0f%%", f * 100); }

    static String fmtNum(double d) { return CatalogValue.fmt(d); }

    static double num(Map<String, String> r, String col) {
        String v = r.get(col);
        if (v == null || v.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new BadInputException("column '" + col + "' value '" + v + "' is not a number");
        }
    }

    static double numOr(Map<String, String> r, String col, double dflt) {
        double v = num(r, col);
        return Double.isNaN(v) ? dflt : v;
    }

    static String fmtInt(double d) { return Double.isNaN(d) ? "?" : Long.toString(Math.round(d)); }
}
