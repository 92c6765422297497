package dev.infercost.engine;

import dev.infercost.BadInputException;
import dev.infercost.model.LlamaModel;
import dev.infercost.model.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cross-backend accuracy gate: runs the same model on two engines with the same inputs and compares logits
 * and greedy tokens.
 *
 * <p>Method (teacher forcing on the reference): each prompt is prefilled on both engines; then for
 * {@code steps} decode steps both engines are fed the reference engine's greedy token, so every step compares
 * logits computed from identical inputs. Measures: max absolute logit difference; max relative difference
 * = max_i |a_i - b_i| / max_i |b_i| per step (relative to the logit range, since element-wise ratios explode
 * near 0); greedy agreement length = steps before the first argmax mismatch (prefill's next token included).
 * Verdict "pass" when max abs diff &le; {@code atol} and every argmax agrees, except where the reference's
 * top-2 margin is below {@code atol} (a numerical tie; counted as tie mismatches and reported).
 *
 * <p>Before comparing, {@link #verdict} checks the backend's own logits on one prompt: any NaN or infinity is a
 * "fail" at once, with or without a reference backend.
 *
 * <p>Prompts: {@link #PROMPTS} encoded with the model's tokenizer (BOS first); models without a tokenizer
 * use fixed token ids. The lead's performance rows call {@link #verdict(LlamaModel, String)}, which caches
 * per model source and backend and compares against the reference backend "jvm" (or "onnx" for "jvm" itself).
 */
public final class AccuracyGate {
    private AccuracyGate() {}

    /** Fixed prompt set (TinyStories-style English). */
    public static final List<String> PROMPTS = List.of("Once upon a time", "Lily and Tom went to the park", "The little dog was sad because", "One day, a girl named Sue");

    /** Default absolute logit tolerance for fp32 engines. */
    public static final double DEFAULT_ATOL = 1e-3;

    /** Largest model (parameters) {@link #verdict} checks by itself; larger ones are "not-checked" (run infercost verify). */
    public static final long VERDICT_MAX_PARAMS = Long.getLong("infercost.accuracy.maxParams", 200_000_000L);

    /**
     * One comparison.
     *
     * @param maxAbsDiff         max |logit_a - logit_b| over prompts and steps [logit units]
     * @param maxRelDiff         max over steps of max|a-b| / max|b| [1]
     * @param agreementMin       shortest greedy agreement over prompts [tokens]
     * @param agreementMean      mean greedy agreement [tokens]
     * @param tieMismatches      argmax mismatches excused as ties (reference top-2 margin below atol)
     */
    public record Comparison(String reference, String backend, int prompts, int steps, double maxAbsDiff, double maxRelDiff,
                             int agreementMin, double agreementMean, int tieMismatches, double atol, String verdict, String detail) {}

    /** A verdict for a result row: status "pass", "fail" or "not-checked", with details. */
    public record Verdict(String status, String detail) {
        public static Verdict notChecked(String why) { return new Verdict("not-checked", why); }
    }

    private static final Map<String, Verdict> CACHE = new ConcurrentHashMap<>();

    /**
     * The accuracy verdict of running {@code model} on {@code backend}, cached per (model source, backend).
     * Never throws for an engine failure: that is a "fail" with the reason; an unavailable reference or a model
     * above {@link #VERDICT_MAX_PARAMS} is "not-checked".
     */
    public static Verdict verdict(LlamaModel model, String backend) {
        String key = model.info().source() + "|" + backend;
        return CACHE.computeIfAbsent(key, k -> computeVerdict(model, backend));
    }

    private static Verdict computeVerdict(LlamaModel model, String backend) {
        Verdict nonFinite = nonFiniteLogits(model, backend);
        if (nonFinite != null) return nonFinite;
        long params = model.config().parameterCount();
        if (params > VERDICT_MAX_PARAMS)
            return Verdict.notChecked(String.format(Locale.ROOT, "model has %d parameters > gate limit %d (-Dinfercost.accuracy.maxParams); run 'infercost verify'", params, VERDICT_MAX_PARAMS));
        String refName = backend.equals("jvm") ? "onnx" : "jvm";
        // the onnx exporter runs llama2.c's graph only (qwen2/qwen3/phi3, RoPE scaling and custom head widths are refused)
        if (refName.equals("onnx") && !model.graphExtras().isEmpty())
            return Verdict.notChecked("reference backend 'onnx' does not run " + model.architecture() + " (" + String.join(", ", model.graphExtras())
                    + "); the jvm engine's agreement with llama.cpp on these graphs is tested on fixtures (ArchGoldenTest, GgufGoldenTest)");
        EngineProvider ref = find(refName), sub = find(backend);
        if (sub == null) return Verdict.notChecked("no backend '" + backend + "'");
        if (ref == null) return Verdict.notChecked("reference backend '" + refName + "' not found");
        if (!ref.availability().available()) return Verdict.notChecked("reference backend '" + refName + "' unavailable: " + ref.availability().detail());
        if (!sub.availability().available()) return Verdict.notChecked("backend '" + backend + "' unavailable: " + sub.availability().detail());
        try (Engine a = ref.open(model, EngineOptions.defaults()); Engine b = sub.open(model, EngineOptions.defaults())) {
            Comparison c = compare(model, a, b, prompts(model, 2), 16, DEFAULT_ATOL);
            String syn = model.info().syntheticWeights() ? "; synthetic weights: numerical cross-backend agreement only" : "";
            return new Verdict(c.verdict(), String.format(Locale.ROOT, "vs %s: max|dlogit|=%.3g, greedy agreement %d/%d%s", refName, c.maxAbsDiff(), c.agreementMin(), c.steps(), syn) + (c.detail().isEmpty() ? "" : "; " + c.detail()));
        } catch (RuntimeException e) {
            return new Verdict("fail", "could not run the comparison: " + e.getMessage());
        }
    }

    /**
     * The backend's own check, needing no reference: prefill the first prompt and one greedy decode step, and fail when
     * any logit is NaN or infinite (weights that overflow, or NaN weights the load-time scan did not cover: nothing
     * such an engine generates means anything). Null when the logits are finite or the backend cannot be opened.
     */
    static Verdict nonFiniteLogits(LlamaModel model, String backend) {
        EngineProvider sub = find(backend);
        if (sub == null || !sub.availability().available()) return null;
        int vocab = model.config().vocabSize();
        int[] p = prompts(model, 1).get(0);
        if (p.length + 1 > model.config().seqLen()) return null;
        try (Engine e = sub.open(model, EngineOptions.defaults()); DecodeSession s = e.newSession(1, p.length + 1)) {
            float[] l = new float[vocab];
            s.prefill(0, p, 0, l);
            String bad = firstNonFinite(l, "prefill of prompt 0 (" + p.length + " tokens)");
            if (bad == null) {
                s.decode(1, new int[]{0}, new int[]{argmax(l)}, new int[]{p.length}, l);
                bad = firstNonFinite(l, "decode step at position " + p.length);
            }
            return bad == null ? null : new Verdict("fail", "non-finite logits: " + bad);
        } catch (RuntimeException e) {
            return null; // the comparison below reports engines that cannot run
        }
    }

    private static String firstNonFinite(float[] l, String where) {
        int n = 0, first = -1;
        for (int i = 0; i < l.length; i++) if (!Float.isFinite(l[i])) { n++; if (first < 0) first = i; }
        return n == 0 ? null : String.format(Locale.ROOT, "%s gave %d of %d logits NaN or infinite (token %d = %s)", where, n, l.length, first, l[first]);
    }

    private static EngineProvider find(String name) {
        for (EngineProvider p : Engines.all()) if (p.backend().equals(name)) return p;
        return null;
    }

    /** The first {@code n} prompts of {@link #PROMPTS} as token ids (BOS first), or fixed ids without a tokenizer. */
    public static List<int[]> prompts(LlamaModel model, int n) {
        List<int[]> out = new ArrayList<>();
        Tokenizer t = model.tokenizer();
        int vocab = model.config().vocabSize();
        for (int i = 0; i < Math.min(n, PROMPTS.size()); i++) {
            if (t != null) out.add(t.encode(PROMPTS.get(i), true, false));
            else out.add(new int[]{1 % vocab, (7 + 13 * i) % vocab, (101 + 31 * i) % vocab, (2003 + 17 * i) % vocab});
        }
        return out;
    }

    /**
     * Compares engine {@code b} against reference {@code a} (method in the class comment).
     *
     * @throws BadInputException if a prompt plus steps exceeds the model's context
     */
    public static Comparison compare(LlamaModel model, Engine a, Engine b, List<int[]> prompts, int steps, double atol) {
        int vocab = model.config().vocabSize();
        int maxLen = 0;
        for (int[] p : prompts) maxLen = Math.max(maxLen, p.length + steps);
        if (maxLen > model.config().seqLen()) throw new BadInputException("verify: prompt + steps = " + maxLen + " exceeds the model's seq_len " + model.config().seqLen());
        double maxAbs = 0, maxRel = 0;
        int agreeMin = Integer.MAX_VALUE, ties = 0, hardMismatch = 0;
        double agreeSum = 0;
        try (DecodeSession sa = a.newSession(1, maxLen); DecodeSession sb = b.newSession(1, maxLen)) {
            float[] la = new float[vocab], lb = new float[vocab];
            for (int[] p : prompts) {
                sa.prefill(0, p, 0, la);
                sb.prefill(0, p, 0, lb);
                int agree = -1;
                for (int s = 0; s <= steps; s++) {
                    if (s > 0) {
                        int tok = argmax(la);
                        int pos = p.length + s - 1;
                        sa.decode(1, new int[]{0}, new int[]{tok}, new int[]{pos}, la);
                        sb.decode(1, new int[]{0}, new int[]{tok}, new int[]{pos}, lb);
                    }
                    double d = 0, ref = 0;
                    for (int v = 0; v < vocab; v++) { d = Math.max(d, Math.abs(la[v] - lb[v])); ref = Math.max(ref, Math.abs(la[v])); }
                    if (Double.isNaN(d) || hasNaN(lb)) d = Double.POSITIVE_INFINITY;
                    maxAbs = Math.max(maxAbs, d);
                    maxRel = Math.max(maxRel, d / Math.max(ref, 1e-30));
                    int ta = argmax(la), tb = argmax(lb);
                    if (ta != tb) {
                        if (agree < 0) agree = s;
                        if (margin(la) < atol) ties++; else hardMismatch++;
                    }
                }
                if (agree < 0) agree = steps + 1;
                agreeMin = Math.min(agreeMin, agree);
                agreeSum += agree;
            }
        }
        boolean pass = maxAbs <= atol && hardMismatch == 0;
        List<String> why = new ArrayList<>();
        if (maxAbs > atol) why.add(String.format(Locale.ROOT, "max|dlogit| %.3g > atol %.3g", maxAbs, atol));
        if (hardMismatch > 0) why.add(hardMismatch + " greedy mismatches outside ties");
        if (ties > 0) why.add(ties + " mismatches at ties (top-2 margin < atol)");
        return new Comparison(a.backend(), b.backend(), prompts.size(), steps + 1, maxAbs, maxRel, agreeMin, agreeSum / prompts.size(), ties, atol,
                pass ? "pass" : "fail", String.join("; ", why));
    }

    /** Index of the largest value (first on ties). */
    public static int argmaxOf(float[] a) { return argmax(a); }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    private static boolean hasNaN(float[] a) {
        for (float x : a) if (Float.isNaN(x)) return true;
        return false;
    }

    private static double margin(float[] a) {
        float b1 = Float.NEGATIVE_INFINITY, b2 = Float.NEGATIVE_INFINITY;
        for (float x : a) {
            if (x > b1) { b2 = b1; b1 = x; } else if (x > b2) b2 = x;
        }
        return b1 - b2;
    }

    /** Clears cached verdicts (tests). */
    static void clearCache() { CACHE.clear(); }

}
