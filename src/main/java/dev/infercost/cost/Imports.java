package dev.infercost.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infercost.BadInputException;
import dev.infercost.results.ImportColumn;
import dev.infercost.results.Row;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Serving measurements made elsewhere, read as "measured (imported)" points:
 * <ul>
 *   <li>vLLM {@code vllm bench serve --save-result} JSON (one object per file, or one per line with
 *       {@code --append-result}): {@code model_id}, {@code max_concurrency}, {@code completed},
 *       {@code total_input_tokens}, {@code total_output_tokens}, {@code output_throughput} [tok/s],
 *       {@code mean_tpot_ms}, {@code median_ttft_ms}, {@code p99_ttft_ms}, {@code median_tpot_ms}, {@code p99_tpot_ms};
 *       the chip from {@code --metadata device_class=... num_gpus=...} keys (vLLM writes metadata at top level) or
 *       from {@code --import-chip}/{@code --import-chips}. tok/s/user = 1000 / mean TPOT (InferenceX's interactivity).</li>
 *   <li>the infercost import CSV ({@link ImportColumn}).</li>
 * </ul>
 */
public final class Imports {
    private Imports() {}

    /**
     * One imported point.
     *
     * @param tokPerSChip output tok/s per chip
     * @param source      file (and line) it came from
     */
    public record Point(String chip, String stack, String model, String precision, double isl, double osl, double concurrency,
                        double tokPerSChip, double tokPerSUser, double ttftP50, double ttftP99, double tpotP50, double tpotP99,
                        double powerW, String source) {}

    /** @throws BadInputException for an unreadable file, a missing field, or no chip named (one line naming file and field) */
    public static List<Point> read(Path f, String chip, Integer chips) {
        if (!Files.isRegularFile(f)) throw new BadInputException(f + ": import file not found");
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) return csv(f, chip);
        try {
            List<Point> out = new ArrayList<>();
            ObjectMapper om = new ObjectMapper();
            String text = Files.readString(f, StandardCharsets.UTF_8).trim();
            List<String> docs = text.startsWith("{") && text.endsWith("}") && !text.contains("}\n{") ? List.of(text) : text.lines().filter(l -> !l.isBlank()).toList();
            int i = 0;
            for (String d : docs) {
                i++;
                out.add(vllm(om.readTree(d), f + (docs.size() > 1 ? ":" + i : ""), chip, chips));
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException(f + ": not a vLLM bench serve JSON result: " + e.getMessage(), e);
        }
    }

    static Point vllm(JsonNode j, String src, String chip, Integer chips) {
        String c = chip != null ? chip : text(j, "device_class");
        if (c == null) throw new BadInputException(src + ": no chip: pass --import-chip CHIP or save the result with --metadata device_class=CHIP");
        int n = chips != null ? chips : j.has("num_gpus") ? (int) num(j, "num_gpus", src) : j.has("tensor_parallel_size") ? (int) num(j, "tensor_parallel_size", src) : 1;
        double completed = num(j, "completed", src);
        if (!(completed > 0)) throw new BadInputException(src + ": completed = " + completed + ": no successful request");
        double out = num(j, "output_throughput", src), tpot = num(j, "mean_tpot_ms", src);
        String model = text(j, "model_id");
        return new Point(c, "vLLM bench serve" + (text(j, "backend") == null ? "" : " (" + text(j, "backend") + ")"), model == null ? "" : model,
                text(j, "precision") == null ? "" : text(j, "precision"),
                num(j, "total_input_tokens", src) / completed, num(j, "total_output_tokens", src) / completed,
                j.hasNonNull("max_concurrency") ? j.get("max_concurrency").asDouble() : Double.NaN, out / n, 1000.0 / tpot,
                opt(j, "median_ttft_ms"), opt(j, "p99_ttft_ms"), opt(j, "median_tpot_ms"), opt(j, "p99_tpot_ms"),
                j.has("power_w") ? opt(j, "power_w") : Double.NaN, src);
    }

    static String text(JsonNode j, String k) { return j.hasNonNull(k) ? j.get(k).asText() : null; }

    static double num(JsonNode j, String k, String src) {
        JsonNode v = j.get(k);
        if (v == null || v.isNull()) throw new BadInputException(src + ": field '" + k + "' is missing (expected a vLLM bench serve --save-result JSON)");
        if (v.isNumber()) return v.asDouble();
        try { return Double.parseDouble(v.asText()); } catch (NumberFormatException e) {
            throw new BadInputException(src + ": field '" + k + "' value '" + v.asText() + "' is not a number");
        }
    }

    static double opt(JsonNode j, String k) {
        JsonNode v = j.get(k);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }

    static List<Point> csv(Path f, String chipDefault) {
        List<Point> out = new ArrayList<>();
        for (Row r : Row.readAll(f)) {
            for (ImportColumn c : List.of(ImportColumn.MODEL, ImportColumn.ISL, ImportColumn.OSL, ImportColumn.OUTPUT_TOK_PER_S_PER_CHIP, ImportColumn.TOK_PER_S_PER_USER))
                if (!r.has(c)) throw new BadInputException(f + ":" + r.line() + ": column '" + c.header() + "' is empty or missing");
            String chip = r.has(ImportColumn.CHIP) ? r.get(ImportColumn.CHIP) : chipDefault;
            if (chip == null) throw new BadInputException(f + ":" + r.line() + ": column 'chip' is empty (or pass --import-chip)");
            out.add(new Point(chip, r.get(ImportColumn.STACK), r.get(ImportColumn.MODEL), r.get(ImportColumn.PRECISION), r.num(ImportColumn.ISL),
                    r.num(ImportColumn.OSL), r.num(ImportColumn.CONCURRENCY, Double.NaN), r.num(ImportColumn.OUTPUT_TOK_PER_S_PER_CHIP),
                    r.num(ImportColumn.TOK_PER_S_PER_USER), r.num(ImportColumn.TTFT_P50, Double.NaN), r.num(ImportColumn.TTFT_P99, Double.NaN),
                    r.num(ImportColumn.TPOT_P50, Double.NaN), r.num(ImportColumn.TPOT_P99, Double.NaN), r.num(ImportColumn.POWER, Double.NaN),
                    f + ":" + r.line()));
        }
        return out;
    }
}
