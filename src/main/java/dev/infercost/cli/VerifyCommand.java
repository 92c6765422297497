package dev.infercost.cli;

import dev.infercost.BadInputException;
import dev.infercost.engine.AccuracyGate;
import dev.infercost.engine.Engine;
import dev.infercost.engine.EngineOptions;
import dev.infercost.engine.EngineProvider;
import dev.infercost.engine.Engines;
import dev.infercost.engine.onnx.HfTokenizer;
import dev.infercost.engine.onnx.OnnxEngine;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.ModelInfo;
import dev.infercost.model.Models;
import dev.infercost.results.CsvTable;
import dev.infercost.results.Manifest;
import dev.infercost.results.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code infercost verify}: the same model and prompts on every available backend, compared pairwise against a
 * reference (method: {@link AccuracyGate}); prints a table and writes {@code verify.csv} + {@code manifest.json}
 * in a new results folder.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Runs a fixed prompt set on every available backend (jvm, onnx with both export variants, ...) and compares "
                + "logits and greedy tokens against the reference backend; writes verify.csv. An .onnx model (your own decoder, "
                + "Optimum layout, with --tokenizer tokenizer.json) is compared across ONNX Runtime graph optimisation levels.")
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "llama2.c .bin, .gguf, preset name, or an ONNX decoder (.onnx).")
    String model;

    @Option(names = "--tokenizer", description = "llama2.c tokenizer for .bin models; tokenizer.json for .onnx decoders.")
    Path tokenizer;

    @Option(names = "--steps", defaultValue = "64", description = "Greedy decode steps per prompt (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--prompts", defaultValue = "4", description = "How many prompts of the fixed set to use, 1..4 (default ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--atol", defaultValue = "1e-3", description = "Absolute logit tolerance for pass (default ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--threads", defaultValue = "0", description = "Threads per engine (0 = all processors).")
    int threads;

    @Option(names = {"--out", "--results"}, description = "Parent folder of run folders (default: results/ of this checkout).")
    Path results;

    static final List<String> COLUMNS = List.of("model", "weights", "reference", "backend", "reference_device", "device", "prompts", "steps",
            "max_abs_logit_diff [logit]", "max_rel_logit_diff [1]", "greedy_agreement_min [tokens]", "greedy_agreement_mean [tokens]",
            "tie_mismatches", "atol [logit]", "verdict", "detail");

    /** A backend configuration to compare: label and how to open it. */
    record Candidate(String label, Supplier<Engine> open, String unavailable) {}

    @Override
    public Integer call() {
        if (prompts < 1 || prompts > AccuracyGate.PROMPTS.size()) throw new BadInputException("--prompts must be 1.." + AccuracyGate.PROMPTS.size() + ", got " + prompts);
        if (steps < 1) throw new BadInputException("--steps must be positive, got " + steps);
        if (!(atol > 0)) throw new BadInputException("--atol " + atol + ": expected a positive logit tolerance");
        LlamaModel m;
        List<Candidate> cands = new ArrayList<>();
        AutoCloseable tokToClose = null;
        if (model.endsWith(".onnx")) {
            Path onnx = Path.of(model);
            EngineOptions base = new EngineOptions(threads, null, Map.of("opt_level", "disable"));
            // open once to learn the config and vocab
            try (OnnxEngine probe = OnnxEngine.openFile(onnx, base)) {
                HfTokenizer t = tokenizer == null ? null : new HfTokenizer(tokenizer, probe.config().vocabSize());
                tokToClose = t;
                ModelInfo info = probe.model();
                m = new LlamaModel(info, probe.config(), null, t);
            }
            for (String opt : List.of("disable", "all"))
                cands.add(new Candidate("onnx[opt=" + opt + "]", () -> OnnxEngine.openFile(onnx, new EngineOptions(threads, null, Map.of("opt_level", opt))), null));
        } else {
            m = Models.load(model, tokenizer);
            // onnx and tornado run llama2.c's graph only: skip them (saying why) for qwen2/qwen3/phi3 or RoPE-scaled models
            String notLlama = m.graphExtras().isEmpty() ? null : "runs the llama graph only, not " + m.architecture() + " (" + String.join(", ", m.graphExtras()) + ")";
            for (EngineProvider p : Engines.all()) {
                EngineProvider.Availability a = p.availability();
                String skip = !a.available() ? a.detail() : p.backend().equals("jvm") ? null : notLlama;
                if (p.backend().equals("onnx")) {
                    for (String v : List.of("contrib", "standard"))
                        cands.add(new Candidate("onnx[" + v + "]", () -> p.open(m, new EngineOptions(threads, null, Map.of("variant", v))), skip));
                } else {
                    cands.add(new Candidate(p.backend(), () -> p.open(m, new EngineOptions(threads, null, Map.of())), skip));
                }
            }
        }
        try {
            return run(m, cands);
        } finally {
            if (tokToClose != null) try { tokToClose.close(); } catch (Exception ignored) { }
        }
    }

    private int run(LlamaModel m, List<Candidate> cands) {
        List<int[]> ps = AccuracyGate.prompts(m, prompts);
        CsvTable table = new CsvTable(COLUMNS);
        Candidate refC = null;
        for (Candidate c : cands) {
            if (c.unavailable() != null) System.out.println("skip " + c.label() + ": " + (c.unavailable().startsWith("runs the llama graph only") ? "" : "unavailable: ") + c.unavailable());
            else if (refC == null) refC = c;
        }
        if (refC == null) throw new BadInputException("verify: no available backend to run " + m.info().name());
        System.out.printf(Locale.ROOT, "verify %s (%s weights): %d prompts x %d greedy steps, reference %s, atol %.3g%n",
                m.info().name(), m.info().weightsLabel(), ps.size(), steps, refC.label(), atol);
        boolean allPass = true;
        int compared = 0;
        try (Engine ref = refC.open().get()) {
            for (Candidate c : cands) {
                if (c == refC || c.unavailable() != null) continue;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("model", m.info().name());
                row.put("weights", m.info().weightsLabel());
                row.put("reference", refC.label());
                row.put("backend", c.label());
                row.put("reference_device", ref.device());
                row.put("prompts", ps.size());
                row.put("steps", steps + 1);
                row.put("atol [logit]", atol);
                try (Engine e = c.open().get()) {
                    AccuracyGate.Comparison r = AccuracyGate.compare(m, ref, e, ps, steps, atol);
                    row.put("device", e.device());
                    row.put("max_abs_logit_diff [logit]", r.maxAbsDiff());
                    row.put("max_rel_logit_diff [1]", r.maxRelDiff());
                    row.put("greedy_agreement_min [tokens]", r.agreementMin());
                    row.put("greedy_agreement_mean [tokens]", r.agreementMean());
                    row.put("tie_mismatches", r.tieMismatches());
                    row.put("verdict", r.verdict());
                    row.put("detail", r.detail());
                    allPass &= r.verdict().equals("pass");
                    System.out.printf(Locale.ROOT, "  %-16s vs %-16s max|dlogit| %.3e  rel %.3e  greedy agreement min %d/%d  -> %s %s%n",
                            c.label(), refC.label(), r.maxAbsDiff(), r.maxRelDiff(), r.agreementMin(), r.steps(), r.verdict().toUpperCase(Locale.ROOT), r.detail());
                } catch (RuntimeException ex) {
                    row.put("verdict", "fail");
                    row.put("detail", "error: " + ex.getMessage());
                    allPass = false;
                    System.out.printf(Locale.ROOT, "  %-16s vs %-16s -> FAIL error: %s%n", c.label(), refC.label(), ex.getMessage());
                }
                table.add(row);
                compared++;
            }
        }
        if (compared == 0) System.out.println("  only one backend available: nothing to compare");
        RunDirectory dir = RunDirectory.create(ResultsFolders.parent(results), "verify-" + m.info().name());
        try {
            dir.writeCsv("verify.csv", table);
            List<String> cmd = new ArrayList<>(List.of("infercost", "verify", "--model", model));
            if (tokenizer != null) cmd.addAll(List.of("--tokenizer", tokenizer.toString()));
            Manifest mf = Manifest.forThisProcess(dir.runId(), cmd);
            mf.put("model", Map.of("name", m.info().name(), "format", m.info().format(), "source", m.info().source(), "weights", m.info().weightsLabel()));
            mf.put("verify", Map.of("prompts", AccuracyGate.PROMPTS.subList(0, ps.size()), "steps", steps, "atol", atol, "reference", refC.label(),
                    "method", "teacher forcing on the reference's greedy tokens; see dev.infercost.engine.AccuracyGate"));
            dir.writeString("manifest.json", mf.toJson());
            Path done = dir.commit();
            System.out.println("wrote " + done.resolve("verify.csv"));
        } catch (RuntimeException e) {
            dir.abandon();
            throw e;
        }
        return allPass ? 0 : 1;
    }
}
