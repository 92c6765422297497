package dev.infercost.hardware;

import dev.infercost.BadInputException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The calibration table: published serving measurements ({@code reference/calibration.csv}, each row citing its
 * page, table row and date) that projected efficiencies are fitted to, and the chip families
 * ({@code reference/chip_families.csv}) that say which rows a chip may use and which family a chip without rows
 * borrows from.
 */
public final class Calibration {

    /**
     * One published point.
     *
     * @param id             short name, e.g. "trt-h100-8b"
     * @param chip           catalog chip name
     * @param stack          serving stack (TensorRT-LLM, vLLM (ROCm), ...)
     * @param model          model preset name (dev.infercost.cost.ModelShape)
     * @param weights        bf16 | fp8 | fp4
     * @param kv             KV-cache precision
     * @param tp             tensor-parallel size of the published run (0 = any: an interactivity point on the frontier)
     * @param isl            input tokens
     * @param osl            output tokens
     * @param operatingPoint "max-throughput" or "N tok/s/user"
     * @param publishedValue the figure as published
     * @param metric         what the figure counts; one containing "input+output" is total tokens per second, converted
     *                       to output tokens by OSL / (ISL + OSL) (requests of ISL input and OSL output tokens)
     * @param chipsInFigure  chips the figure is summed over (per-chip value = publishedValue / chipsInFigure)
     * @param sourceUrl      page
     * @param sourceDate     date of the page / as read
     * @param notes          table row, conversions, what is unconfirmed
     */
    public record Point(String id, String chip, String stack, String model, String weights, String kv, int tp, int isl, int osl,
                        String operatingPoint, double publishedValue, String metric, int chipsInFigure, String sourceUrl,
                        String sourceDate, String confidence, String notes) {
        /** Output tok/s per chip (a total input+output figure times OSL / (ISL + OSL)). */
        public double perChip() { return publishedValue / chipsInFigure * outputShare(); }

        /** True when the published figure counts input and output tokens ({@code metric} contains "input+output"). */
        public boolean countsTotalTokens() { return metric.toLowerCase(Locale.ROOT).contains("input+output"); }

        /** Share of the published figure that is output tokens: OSL / (ISL + OSL) for a total figure, else 1. */
        public double outputShare() { return countsTotalTokens() ? (double) osl / (isl + osl) : 1.0; }

        /** The tok/s/user target of an interactivity point, NaN for a max-throughput point. */
        public double userTarget() {
            if (operatingPoint.equals("max-throughput")) return Double.NaN;
            return Double.parseDouble(operatingPoint.replace("tok/s/user", "").trim());
        }

        public String family(Calibration c) { return c.family(chip).family(); }
    }

    /** A chip's family and, when the family has no calibration row, the family it borrows from and why. */
    public record Family(String family, String nearest, String why) {}

    private final List<Point> points;
    private final Map<String, Family> families;

    private Calibration(List<Point> points, Map<String, Family> families) { this.points = points; this.families = families; }

    public List<Point> points() { return points; }

    /** The bundled table. */
    public static Calibration bundled() {
        List<Point> pts = parse(Catalog.resourceRows("calibration.csv"));
        Map<String, Family> fam = new LinkedHashMap<>();
        for (Catalog.Row r : Catalog.resourceRows("chip_families.csv"))
            fam.put(Accelerator.slug(r.get("chip")), new Family(r.get("family"), r.get("nearest_family"), r.get("why")));
        return new Calibration(pts, fam);
    }

    /** The bundled families with the points of a user calibration CSV (same columns as calibration.csv) added. */
    public Calibration with(Path userCsv) {
        if (userCsv == null) return this;
        if (!Files.isRegularFile(userCsv)) throw new BadInputException(userCsv + ": calibration file not found");
        try (Reader r = Files.newBufferedReader(userCsv, StandardCharsets.UTF_8)) {
            List<Point> all = new ArrayList<>(points);
            all.addAll(parse(Catalog.csvRows(r, userCsv.toString())));
            return new Calibration(all, families);
        } catch (IOException e) {
            throw new BadInputException(userCsv + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The family of a catalog chip ("unknown" with no nearest family when chip_families.csv does not list it). */
    public Family family(String chip) {
        Family f = families.get(Accelerator.slug(chip));
        return f == null ? new Family("unknown:" + chip, "", "chip not in chip_families.csv") : f;
    }

    static List<Point> parse(List<Catalog.Row> rows) {
        List<Point> out = new ArrayList<>();
        for (Catalog.Row r : rows) {
            try {
                String op = r.get("operating_point");
                if (!op.equals("max-throughput") && !op.toLowerCase(Locale.ROOT).endsWith("tok/s/user"))
                    throw new BadInputException(r.origin() + ": operating_point '" + op + "': expected max-throughput or 'N tok/s/user'");
                if (r.get("source_url").isEmpty() || r.get("source_date").isEmpty())
                    throw new BadInputException(r.origin() + ": a calibration row needs source_url and source_date");
                Point p = new Point(r.get("id"), r.get("chip"), r.get("stack"), r.get("model"), r.get("weights"), r.get("kv"),
                        Integer.parseInt(r.get("tp")), Integer.parseInt(r.get("isl")), Integer.parseInt(r.get("osl")), op,
                        Double.parseDouble(r.get("published_value")), r.get("published_metric"), Integer.parseInt(r.get("chips_in_figure")),
                        r.get("source_url"), r.get("source_date"), r.get("confidence"), r.get("notes"));
                if (!(p.publishedValue() > 0) || p.chipsInFigure() < 1)
                    throw new BadInputException(r.origin() + ": published_value and chips_in_figure must be positive");
                out.add(p);
            } catch (NumberFormatException e) {
                throw new BadInputException(r.origin() + ": " + e.getMessage() + " (tp, isl, osl, published_value, chips_in_figure must be numbers)");
            }
        }
        return out;
    }
}
