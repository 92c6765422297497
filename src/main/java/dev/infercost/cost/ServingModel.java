package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.CatalogValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Operating points of one model on one chip under continuous batching, from the chip's spec figures and two achieved
 * efficiencies ({@link Eff}, from {@link Calibrator}): {@code eta_bw}, the fraction of peak memory bandwidth reached
 * by the bandwidth-bound terms, and {@code eta_flop}, the fraction of dense FLOP/s reached by the FLOP-bound terms.
 *
 * <pre>
 *   per chip of a TP group of t chips, batch b, mean decode context c = ISL + OSL/2:
 *   decode step   t_step = max(bytes / (eta_bw x BW), FLOPs / (eta_flop x peak)) + t_allreduce
 *                 bytes  = (dense + touched experts) x weight B / t + b x KV elements x c x KV B / t
 *                 FLOPs  = b x (2 x active params + 4 x layers x c x attnDim) / t           (Kaplan et al. 2020)
 *   prefill       t_pf   = max(ISL x FLOPs/token / (t x eta_flop x peak), weights read per 8192-token chunk share / (eta_bw x BW)) + t_allreduce
 *   all-reduce    2 per layer (attention out, FFN out), ring: 2 (t-1)/t x b x dim x 2 B / scale-up BW one way + latency
 *   request life  L      = OSL x t_step + b x t_pf        (b other requests' prefills interleave with its decode)
 *   tok/s/user    = OSL / L;  tok/s per chip = b x OSL / L / t;  TTFT ~ t_pf + t_step;  TPOT ~ (L - t_pf) / OSL
 *   chip-seconds per query: prefill t x t_pf (input tokens), decode t x OSL x t_step / b (output tokens)
 * </pre>
 * The batch is swept from 1 up to what usable memory holds (weights / t + b x KV per sequence at ISL + OSL), capped
 * at {@link #MAX_BATCH}; TP over 1, 2, 4, 8 from the smallest group the weights fit. The interconnect term is
 * modelled, never measured. Expert routing is assumed uniform ({@link ModelShape#expertsTouched}).
 */
public final class ServingModel {
    private ServingModel() {}

    /** Scheduler cap on concurrent sequences (TensorRT-LLM's and vLLM's max batch settings are of this order). */
    public static final int MAX_BATCH = 4096;
    /** ASSUMED latency of one small all-reduce across the scale-up domain [s] (NCCL-class, NVLink, of the order of 10 us). */
    public static final double ALLREDUCE_LATENCY_S = 10e-6;
    /** Tokens per prefill chunk sharing one read of the weights (TensorRT-LLM's default max_num_tokens 8192). */
    public static final int PREFILL_CHUNK = 8192;

    /**
     * Achieved efficiencies, each in (0, 1].
     *
     * @param bw   fraction of peak memory bandwidth (decode weight + KV reads, prefill weight reads)
     * @param flop fraction of dense FLOP/s at the weights' precision (decode and prefill matmuls)
     */
    public record Eff(double bw, double flop) {
        public Eff {
            if (!(bw > 0 && bw <= 1) || !(flop > 0 && flop <= 1))
                throw new BadInputException("efficiency bw " + bw + ", flop " + flop + ": expected (0, 1] each");
        }

        /** One figure for both (the single-efficiency model). */
        public static Eff both(double eta) { return new Eff(eta, eta); }

        /** Both fractions scaled by {@code f}, capped at 1 (the band around a fit). */
        public Eff scaled(double f) { return new Eff(Math.min(1, bw * f), Math.min(1, flop * f)); }
    }

    /** What is projected: model, precisions, query lengths, memory share. */
    public record Setup(ModelShape shape, Precision weights, Precision kv, int isl, int osl, double usableFraction) {
        public Setup {
            if (isl < 1 || osl < 1) throw new BadInputException("ISL/OSL " + isl + "/" + osl + ": expected >= 1 token each");
            if (!(usableFraction > 0 && usableFraction <= 1)) throw new BadInputException("memory_usable_fraction " + usableFraction + ": expected (0, 1]");
        }
    }

    /**
     * One operating point.
     *
     * @param tp            tensor-parallel group size
     * @param batch         concurrent sequences in the group
     * @param tokPerSChip   output tok/s per chip
     * @param tokPerSUser   output tok/s per user (interactivity)
     * @param ttftMs        time to first token estimate [ms] (no queueing)
     * @param tpotMs        time per output token estimate [ms]
     * @param prefillChipS  chip-seconds of prefill per query
     * @param decodeChipS   chip-seconds of decode per query
     * @param bound         memory | compute (decode)
     * @param commShare     share of the decode step spent in modelled all-reduce
     */
    public record Point(int tp, int batch, double tokPerSChip, double tokPerSUser, double ttftMs, double tpotMs,
                        double prefillChipS, double decodeChipS, String bound, double commShare) {
        /** Input tok/s per chip equivalent (ISL / prefill chip-seconds). */
        public double prefillTokPerSChip(int isl) { return isl / prefillChipS; }

        /** Output tok/s per chip while decoding (OSL / decode chip-seconds). */
        public double decodeTokPerSChip(int osl) { return osl / decodeChipS; }
    }

    /** Chip figures, read once. */
    record Chip(double bw, double peak, String peakWhy, double mem, double scaleUpOneWay, String scaleUpWhy) {}

    static Chip chip(Accelerator a, Precision weights) {
        String[] why = new String[1];
        double peak = weights.peakFlops(a, why);
        CatalogValue su = a.get("scale_up_bandwidth");
        return new Chip(a.bandwidthBytesPerS(), peak, why[0], a.memoryBytes(), su == null ? Double.NaN : Accelerator.toSi(su) / 2,
                su == null ? "no scale_up_bandwidth in the catalog: TP > 1 not modelled" : "scale-up " + su.describe() + " (bidirectional; half each way)");
    }

    /** Largest batch that fits at TP {@code tp} (0 when the weights alone do not fit). */
    public static int maxBatch(Accelerator a, Setup s, int tp) {
        double usable = s.usableFraction() * a.memoryBytes();
        double weights = s.shape().totalParamsPublished() * s.weights().bytes / tp;
        double kvSeq = s.shape().kvElementsPerToken() * s.kv().bytes * (s.isl() + s.osl()) / tp;
        if (weights >= usable) return 0;
        return (int) Math.min(MAX_BATCH, Math.floor((usable - weights) / kvSeq));
    }

    /** One operating point at efficiency {@code eta}. @throws BadInputException for eta outside (0, 1] or a missing figure */
    public static Point point(Accelerator a, Setup s, int tp, int b, double eta) {
        if (!(eta > 0 && eta <= 1)) throw new BadInputException("efficiency " + eta + ": expected (0, 1]");
        return point(a, s, tp, b, Eff.both(eta));
    }

    /** One operating point at efficiencies {@code e}. @throws BadInputException for a missing figure */
    public static Point point(Accelerator a, Setup s, int tp, int b, Eff e) {
        Chip c = chip(a, s.weights());
        return point(c, s, tp, b, e);
    }

    static Point point(Chip c, Setup s, int tp, int b, Eff e) {
        ModelShape m = s.shape();
        if (tp > 1 && Double.isNaN(c.scaleUpOneWay())) throw new BadInputException(c.scaleUpWhy());
        double ctx = s.isl() + s.osl() / 2.0;
        double bytes = m.paramsReadPerStep(b) * s.weights().bytes / tp + (double) b * m.kvElementsPerToken() * ctx * s.kv().bytes / tp;
        double tMem = bytes / (e.bw() * c.bw());
        double tComp = b * m.flopsPerToken(ctx) / tp / (e.flop() * c.peak());
        double tComm = allReduce(c, m, tp, b);
        double tStep = Math.max(tMem, tComp) + tComm;
        double pfFlops = s.isl() * (2.0 * m.activeParams() + 4.0 * m.layers() * (s.isl() / 2.0) * m.attnDim()) / tp;
        double chunk = Math.max(PREFILL_CHUNK, s.isl());
        double pfMem = m.paramsReadPerStep((int) chunk) * s.weights().bytes / tp / (e.bw() * c.bw()) * s.isl() / chunk;
        double tPf = Math.max(pfFlops / (e.flop() * c.peak()), pfMem) + allReduce(c, m, tp, s.isl());
        double life = s.osl() * tStep + b * tPf;
        return new Point(tp, b, (double) b * s.osl() / life / tp, s.osl() / life, (tPf + tStep) * 1e3, (life - tPf) / s.osl() * 1e3,
                tp * tPf, tp * s.osl() * tStep / b, tComp > tMem ? "compute" : "memory", tComm / tStep);
    }

    static double allReduce(Chip c, ModelShape m, int tp, double tokens) {
        if (tp == 1) return 0;
        return 2.0 * m.layers() * (ALLREDUCE_LATENCY_S + 2.0 * (tp - 1) / tp * tokens * m.dim() * 2.0 / c.scaleUpOneWay());
    }

    /** Batches swept: 1, 2, 4, ... and the largest that fits. */
    static List<Integer> batches(int max) {
        List<Integer> out = new ArrayList<>();
        for (int b = 1; b < max; b *= 2) out.add(b);
        if (max >= 1) out.add(max);
        return out;
    }

    /** The sweep at one TP (empty when the model does not fit). */
    public static List<Point> sweep(Accelerator a, Setup s, int tp, double eta) { return sweep(a, s, tp, Eff.both(eta)); }

    /** The sweep at one TP at efficiencies {@code e} (empty when the model does not fit). */
    public static List<Point> sweep(Accelerator a, Setup s, int tp, Eff e) {
        Chip c = chip(a, s.weights());
        List<Point> out = new ArrayList<>();
        for (int b : batches(maxBatch(a, s, tp))) out.add(point(c, s, tp, b, e));
        return out;
    }

    /**
     * The whole sweep: TP 1, 2, 4, 8 from the smallest group that holds the weights (TP above 1 only with a
     * scale-up bandwidth figure), every batch that fits.
     *
     * @param notes receives why a TP was skipped
     */
    public static List<Point> sweep(Accelerator a, Setup s, double eta, List<String> notes) { return sweep(a, s, Eff.both(eta), notes); }

    /** As {@link #sweep(Accelerator, Setup, double, List)} at efficiencies {@code eta}. */
    public static List<Point> sweep(Accelerator a, Setup s, Eff eta, List<String> notes) {
        List<Point> out = new ArrayList<>();
        boolean fitted = false;
        for (int tp : new int[]{1, 2, 4, 8}) {
            if (maxBatch(a, s, tp) < 1) continue;
            if (tp > 1 && a.get("scale_up_bandwidth") == null) {
                if (!fitted) notes.add(a.name() + ": " + s.shape().name() + " needs TP " + tp + " but the catalog has no scale_up_bandwidth: not projected");
                break;
            }
            out.addAll(sweep(a, s, tp, eta));
            fitted = true;
        }
        if (!fitted && notes.stream().noneMatch(n -> n.startsWith(a.name() + ":")))
            notes.add(a.name() + ": " + s.shape().name() + " " + s.weights().label() + " does not fit in " + String.format(Locale.ROOT, "%.0f", s.usableFraction() * 100)
                    + "% of " + a.get("hbm_capacity").describe() + " x 8 chips");
        return out;
    }

    /** Highest tok/s per chip at a given TP (the "max throughput" operating point). */
    public static Point maxThroughput(Accelerator a, Setup s, int tp, double eta) { return maxThroughput(a, s, tp, Eff.both(eta)); }

    /** Highest tok/s per chip at a given TP at efficiencies {@code eta}. */
    public static Point maxThroughput(Accelerator a, Setup s, int tp, Eff eta) {
        return sweep(a, s, tp, eta).stream().max(java.util.Comparator.comparingDouble(Point::tokPerSChip))
                .orElseThrow(() -> new BadInputException(a.name() + ": " + s.shape().name() + " does not fit at TP " + tp));
    }

    /** The points as frontier input (tok/s/user, tok/s per chip; label TP/batch). */
    public static List<Frontier.Point> asFrontier(List<Point> pts, Setup s) {
        List<Frontier.Point> f = new ArrayList<>();
        for (Point p : pts)
            f.add(new Frontier.Point(p.tokPerSUser(), p.tokPerSChip(), p.prefillTokPerSChip(s.isl()), p.decodeTokPerSChip(s.osl()),
                    p.prefillChipS() / (p.prefillChipS() + p.decodeChipS()), p.ttftMs(), p.tpotMs(), "TP" + p.tp() + " batch=" + p.batch()));
        return f;
    }
}
