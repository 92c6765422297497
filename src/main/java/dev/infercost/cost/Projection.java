package dev.infercost.cost;

import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.CatalogValue;

import dev.infercost.BadInputException;
import dev.infercost.model.Footprint;
import dev.infercost.model.LlamaConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Roofline arithmetic helpers. The cost stage no longer projects catalog chips with this class (a CPU run's MBU says
 * nothing about a tuned GPU stack): it uses the calibrated sweep of {@link ServingModel} and {@link Calibrator}.
 * The form below carries a measured fraction of roofline over to another chip:
 * <pre>
 *   decode tok/s  = batch x MBU x peak bandwidth / bytes per decode step          (memory-bound decode)
 *                   capped by MFU x peak FLOP/s / FLOPs per token                   (compute roof)
 *   prefill tok/s = MFU x peak FLOP/s / FLOPs per token                              (compute-bound prefill)
 * </pre>
 * Bytes and FLOPs per token come from {@link Footprint} (Kaplan et al. 2020; Databricks' MBU definition) for the
 * projected model shape, at the query profile's context. Memory capacity limits the batch: weights plus
 * batch x (ISL + OSL) KV positions must fit in usable memory; sharding over several chips is not modelled.
 * Results are projections (never measurements) and carry their assumptions.
 */
public final class Projection {
    private Projection() {}

    /**
     * @param decodeTokPerS  aggregate decode tok/s (NaN if infeasible)
     * @param prefillTokPerS prefill tok/s (NaN if the chip lacks the FLOP/s figure or infeasible)
     * @param decodeBound    "memory" or "compute"
     * @param feasible       false when the model + KV cache does not fit
     * @param assumptions    what was assumed, incl. why a figure is missing
     */
    public record Result(double decodeTokPerS, double prefillTokPerS, String decodeBound, boolean feasible, List<String> assumptions) {}

    /** batch x MBU x bandwidth / bytesPerStep. @throws BadInputException for non-positive inputs */
    public static double decodeTokPerS(int batch, double mbu, double bandwidthBytesPerS, double bytesPerStep) {
        if (batch <= 0) throw new BadInputException("batch_size=" + batch + ": expected > 0");
        if (!(mbu > 0 && mbu <= 1)) throw new BadInputException("mbu=" + mbu + ": expected a fraction in (0, 1]");
        if (!(bandwidthBytesPerS > 0)) throw new BadInputException("memory_bandwidth=" + bandwidthBytesPerS + " B/s: expected > 0");
        if (!(bytesPerStep > 0)) throw new BadInputException("bytes_per_step=" + bytesPerStep + " B: expected > 0");
        return batch * mbu * bandwidthBytesPerS / bytesPerStep;
    }

    /** MFU x peak FLOP/s / FLOPs per token. @throws BadInputException for non-positive inputs */
    public static double prefillTokPerS(double mfu, double peakFlops, double flopsPerToken) {
        if (!(mfu > 0 && mfu <= 1)) throw new BadInputException("mfu=" + mfu + ": expected a fraction in (0, 1]");
        if (!(peakFlops > 0)) throw new BadInputException("peak FLOP/s=" + peakFlops + ": expected > 0");
        if (!(flopsPerToken > 0)) throw new BadInputException("flops_per_token=" + flopsPerToken + ": expected > 0");
        return mfu * peakFlops / flopsPerToken;
    }

    /** Bytes per weight or KV element for a projection dtype (bf16 2, fp8 1, fp32 4). */
    public static int bytesPerElement(String dtype) {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "bf16", "fp16", "f16" -> 2;
            case "fp8", "q8", "q8_0", "int8" -> 1;
            case "fp32", "f32" -> 4;
            default -> throw new BadInputException("unknown dtype '" + dtype + "' (expected bf16, fp8 or fp32)");
        };
    }

    /**
     * Projects a model shape onto a catalog chip.
     *
     * @param chip            target chip (needs memory_bandwidth and hbm_capacity; the dtype's FLOP/s for prefill)
     * @param shape           projected model shape
     * @param dtype           weights and KV-cache dtype on the target (bf16, fp8, fp32)
     * @param batch           decode batch size (as measured)
     * @param mbu             measured decode MBU at that batch
     * @param mfu             measured prefill MFU (NaN if none)
     * @param isl             profile input tokens
     * @param osl             profile output tokens
     * @param usableFraction  share of memory for weights + KV cache
     * @throws BadInputException when the chip lacks memory_bandwidth or hbm_capacity (naming chip, metric, row)
     */
    public static Result project(Accelerator chip, LlamaConfig shape, String dtype, int batch, double mbu, double mfu,
                                 int isl, int osl, double usableFraction) {
        List<String> a = new ArrayList<>();
        double bw = chip.bandwidthBytesPerS();
        double mem = chip.memoryBytes();
        int be = bytesPerElement(dtype);
        long weightBytes = shape.parameterCount() * be;
        int decodeCtx = Math.min(isl + Math.max(1, osl / 2), shape.seqLen());
        int prefillCtx = Math.max(1, Math.min(isl, shape.seqLen()) / 2);
        if (isl + osl > shape.seqLen()) a.add("profile ISL+OSL=" + (isl + osl) + " exceeds the model's context " + shape.seqLen() + "; context clamped");
        double kvPerPos = Footprint.kvBytesPerPosition(shape, be);
        double need = weightBytes + (double) batch * Math.min(isl + osl, shape.seqLen()) * kvPerPos;
        a.add(dtype + " weights and KV cache (" + be + " B/element); weights " + gb(weightBytes) + " GB");
        a.add("bandwidth " + chip.get("memory_bandwidth").describe());
        if (need > usableFraction * mem) {
            a.add("does not fit: batch " + batch + " needs " + gb(need) + " GB > " + gb(usableFraction * mem) + " GB usable of " + chip.get("hbm_capacity").describe() + "; multi-chip sharding not modelled");
            return new Result(Double.NaN, Double.NaN, "", false, a);
        }
        double bytesPerStep = Footprint.bytesPerDecodeStep(shape, weightBytes, batch, decodeCtx, be);
        double decode = decodeTokPerS(batch, mbu, bw, bytesPerStep);
        String bound = "memory";
        a.add("decode = batch " + batch + " x measured MBU " + f3(mbu) + " x " + gb(bw) + " GB/s / " + gb(bytesPerStep) + " GB per step (context " + decodeCtx + ")");
        double prefill = Double.NaN;
        if (Double.isNaN(mfu)) {
            a.add("prefill not projected: no measured prefill MFU");
        } else {
            try {
                double peak = chip.peakFlops(dtype);
                double fpt = Footprint.flopsPerToken(shape, prefillCtx);
                prefill = prefillTokPerS(mfu, peak, fpt);
                a.add("prefill = measured MFU " + f3(mfu) + " x " + CatalogValue.fmt(peak / 1e12) + " TFLOP/s " + Accelerator.flopsMetric(dtype) + " / " + CatalogValue.fmt(fpt / 1e9) + " GFLOP/token (mean context " + prefillCtx + ")");
                double roof = prefillTokPerS(mfu, peak, Footprint.flopsPerToken(shape, decodeCtx));
                if (roof < decode) {
                    decode = roof;
                    bound = "compute";
                    a.add("decode capped by the compute roof (MFU x peak FLOP/s)");
                }
            } catch (BadInputException e) {
                a.add("prefill not projected: " + e.getMessage());
            }
        }
        return new Result(decode, prefill, bound, true, a);
    }

    static String gb(double bytes) { return CatalogValue.fmt(bytes / 1e9); }

    static String f3(double v) { return String.format(Locale.ROOT, "%.3g", v); }
}
