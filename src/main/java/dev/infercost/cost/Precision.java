package dev.infercost.cost;

import dev.infercost.BadInputException;
import dev.infercost.hardware.Accelerator;
import dev.infercost.hardware.CatalogValue;

import java.util.Locale;

/**
 * Number formats served today, for weights and KV cache: bytes per element and the dense peak a chip runs it at.
 * FP4 stands for NVFP4 / MXFP4 (4-bit elements plus one 8-bit scale per 16 or 32: 0.5 B/element, the scales
 * ignored, under 7%).
 */
public enum Precision {
    BF16(2.0, "bf16_dense"), FP8(1.0, "fp8_dense"), FP4(0.5, "fp4_dense");

    public final double bytes;
    public final String flopsMetric;

    Precision(double bytes, String flopsMetric) { this.bytes = bytes; this.flopsMetric = flopsMetric; }

    /** bf16 | fp16 | fp8 | fp4 | nvfp4 | mxfp4 (case-insensitive). @throws BadInputException otherwise */
    public static Precision of(String s) {
        return switch (s.toLowerCase(Locale.ROOT).trim()) {
            case "bf16", "fp16", "f16" -> BF16;
            case "fp8", "q8", "q8_0", "int8", "fp8_e4m3" -> FP8;
            case "fp4", "nvfp4", "mxfp4", "w4" -> FP4;
            default -> throw new BadInputException("unknown precision '" + s + "' (expected bf16, fp8 or fp4)");
        };
    }

    public String label() { return name().toLowerCase(Locale.ROOT); }

    /** The KV-cache format served with these weights by default: FP8 KV for FP8 and FP4 weights, BF16 otherwise. */
    public Precision defaultKv() { return this == BF16 ? BF16 : FP8; }

    /**
     * The chip's dense peak for this precision, falling back to the next wider format the chip publishes (FP4 on
     * Hopper runs at the FP8 rate, weight-only); the figure used is described in {@code why[0]}.
     *
     * @throws BadInputException when the chip has no figure for this format or a wider one
     */
    public double peakFlops(Accelerator chip, String[] why) {
        for (Precision p = this; p != null; p = p == FP4 ? FP8 : p == FP8 ? BF16 : null) {
            CatalogValue v = chip.get(p.flopsMetric);
            if (v != null) {
                why[0] = p.flopsMetric + " " + v.describe() + (p == this ? "" : " (no " + flopsMetric + " figure: " + label() + " weights computed at the " + p.label() + " rate)");
                return Accelerator.toSi(v);
            }
        }
        throw new BadInputException("catalog chip '" + chip.name() + "': no " + flopsMetric + " (or wider) dense FLOP/s figure");
    }
}
