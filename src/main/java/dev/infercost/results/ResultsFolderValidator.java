package dev.infercost.results;

import dev.infercost.BadInputException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Validation of a results folder's measurement tables before a stage reads them ({@code cost}, {@code report}), and
 * the filter that keeps failed points out of cost and revenue.
 *
 * <p>{@link #check}: each of engine_bench.csv, serving.csv and energy.csv that is present must be non-empty UTF-8
 * text without NUL bytes, well-formed CSV, have the columns its readers need, and every figure cell that is set
 * (a column with a unit in brackets, or mbu, mfu, batch_size, params, prefill_time_share, slo_attainment) must be a
 * finite number >= 0 (infercost itself writes a missing figure as an empty cell, never NaN). Failures name the file,
 * the row, the column and the value.
 *
 * <p>{@link #priceable}: rows whose MBU/MFU exceed 1 (a physically impossible fraction: the peak figure is wrong) are
 * excluded from pricing, each with a printed reason. {@link #accuracyFailed}: a row whose {@code accuracy_verdict} is
 * {@code fail} (the engine did not match the reference, or produced non-finite logits); the cost stage keeps such
 * rows out of cost.csv unless {@code --price-failed-accuracy} is given.
 */
public final class ResultsFolderValidator {
    private ResultsFolderValidator() {}

    private static final Set<String> FIGURES = Set.of("mbu", "mfu", "batch_size", "params", "prefill_time_share", "slo_attainment");

    /** @throws BadInputException for the first bad table, row or cell in {@code dir} */
    public static void check(Path dir) {
        table(dir.resolve(ResultSchemas.ENGINE_BENCH), headers(EngineBenchColumn.PHASE, EngineBenchColumn.BATCH_SIZE, EngineBenchColumn.THROUGHPUT,
                EngineBenchColumn.DEVICE_CLASS, EngineBenchColumn.MODEL));
        table(dir.resolve(ResultSchemas.SERVING), headers(ServingColumn.DEVICE_CLASS, ServingColumn.THROUGHPUT_PER_DEVICE, ServingColumn.TOK_PER_S_PER_USER));
        table(dir.resolve(ResultSchemas.ENERGY), List.of());
    }

    private static List<String> headers(Column... cs) {
        return java.util.Arrays.stream(cs).map(Column::header).toList();
    }

    static void table(Path f, List<String> required) {
        if (!Files.exists(f)) return;
        if (!Files.isRegularFile(f)) throw new BadInputException(f + ": not a regular file");
        String text;
        try {
            long size = Files.size(f);
            if (size == 0) throw new BadInputException(f + ": empty file; expected a header row and measurement rows");
            if (size > 256L << 20) throw new BadInputException(f + ": " + size + " bytes is larger than any results table infercost writes (256 MiB limit)");
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(f + ": not UTF-8 text (binary or corrupt); expected a CSV results table");
        } catch (IOException e) {
            throw new BadInputException(f + ": cannot read: " + e.getMessage(), e);
        }
        if (text.indexOf('\0') >= 0) throw new BadInputException(f + ": contains NUL bytes (binary or corrupt); expected a CSV results table");
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(text))) {
            List<String> header = p.getHeaderNames();
            for (String c : required)
                if (!header.contains(c)) throw new BadInputException(f + ": column '" + c + "' is missing (see ResultSchemas; header has " + header.size() + " columns)");
            for (CSVRecord rec : p) {
                for (String h : header) {
                    if (!(h.contains("[") || FIGURES.contains(h)) || h.contains("above_idle")) continue;
                    String v = rec.isMapped(h) && rec.isSet(h) ? rec.get(h).trim() : "";
                    if (v.isEmpty()) continue;
                    double d;
                    try {
                        d = Double.parseDouble(v);
                    } catch (NumberFormatException e) {
                        throw new BadInputException(f + ": row " + rec.getRecordNumber() + " column '" + h + "' = '" + v + "': expected a number");
                    }
                    if (!Double.isFinite(d) || d < 0)
                        throw new BadInputException(f + ": row " + rec.getRecordNumber() + " column '" + h + "' = " + v + ": expected a finite number >= 0");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) throw b;
            throw new BadInputException(f + ": malformed CSV: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
    }

    /**
     * The rows of {@code file} whose figures may be priced; each excluded row adds a note (and a line on {@code log}).
     * A row is excluded when its MBU or MFU exceeds 1 (no device reaches that: the peak figure behind it is wrong).
     * Accuracy failures are not decided here: the cost stage keeps those rows, marked, out of cost.csv unless the
     * user passes {@code --price-failed-accuracy} ({@link #accuracyFailed}).
     *
     * @param rows rows of engine_bench.csv or serving.csv as read by {@link Row#readAll}
     */
    public static List<Row> priceable(List<Row> rows, Path file, List<String> notes, PrintStream log) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            String why = null;
            for (Column c : List.of(EngineBenchColumn.MBU, EngineBenchColumn.MFU)) { // serving.csv's mbu/mfu have the same headers
                double v = r.num(c, Double.NaN);
                if (v > 1) why = c.header() + " = " + r.get(c) + " exceeds 1, which no device reaches: the peak figure behind it is wrong";
            }
            if (why == null) { out.add(r); continue; }
            String note = "not priced: " + file.getFileName() + " row " + r.line() + " (" + describe(r) + ") because " + why;
            notes.add(note);
            log.println("infercost: " + note);
        }
        return out;
    }

    /** True when the row's accuracy gate failed ({@code accuracy_verdict = fail}: wrong or non-finite logits). */
    public static boolean accuracyFailed(Row r) {
        return "fail".equalsIgnoreCase(r.get(EngineBenchColumn.ACCURACY_VERDICT).trim()); // same header in serving.csv
    }

    /** "jvm decode batch 8" for an engine row, "jvm Server batch 4" for a serving row. */
    public static String describe(Row r) {
        String phase = r.has(EngineBenchColumn.PHASE) ? r.get(EngineBenchColumn.PHASE) : r.get(ServingColumn.SCENARIO);
        String batch = r.has(EngineBenchColumn.BATCH_SIZE) ? r.get(EngineBenchColumn.BATCH_SIZE) : r.get(ServingColumn.MAX_BATCH);
        return r.get(EngineBenchColumn.BACKEND) + " " + phase + " batch " + batch;
    }
}
