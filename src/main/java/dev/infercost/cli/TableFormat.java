package dev.infercost.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.infercost.results.CsvTable;
import dev.infercost.results.Row;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Machine-readable output of a command's table, as llama-bench's {@code -o md|csv|json|jsonl}: a picocli mixin
 * ({@link Mixin}, adds {@code --format}) and the renderers. JSON values are typed: a cell that parses as a finite
 * number is a JSON number, {@code true}/{@code false} are booleans, an empty cell is null, everything else a string.
 * Column names are the CSV headers, units included ({@code "ttft_p99 [ms]"}). With {@code --format}, stdout holds
 * the table only; progress and notes go to stderr.
 */
public final class TableFormat {
    private TableFormat() {}

    /** The output formats. */
    public enum Format {
        md, csv, json, jsonl;

        static Format parse(String s) {
            try {
                return valueOf(s.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new dev.infercost.BadInputException("--format: '" + s + "' is not one of md, csv, json, jsonl");
            }
        }
    }

    /** {@code --format md|csv|json|jsonl}; absent = the command's human-readable text. */
    public static final class Mixin {
        @CommandLine.Option(names = "--format", paramLabel = "FMT",
                description = "Print the command's table as md, csv, json (one array of objects) or jsonl (one object per line) on stdout; progress and notes go to stderr.")
        String format;

        /** @return the chosen format, or null for the command's usual text */
        public Format format() { return format == null ? null : Format.parse(format); }
    }

    /**
     * Renders a table given as headers and rows of cell text. A cell reading {@code NaN}, {@code Infinity} or
     * {@code -Infinity} (a figure that does not apply, or was never computed) is written empty in csv and md and
     * as null in json/jsonl, as the CSV files on disk hold it.
     */
    public static String render(Format f, List<String> headers, List<List<String>> given) {
        List<List<String>> rows = new ArrayList<>(given.size());
        for (List<String> r : given) {
            List<String> c = new ArrayList<>(r.size());
            for (String s : r) c.add(notANumber(s) ? "" : s);
            rows.add(c);
        }
        return switch (f) {
            case csv -> {
                CsvTable t = new CsvTable(headers);
                for (List<String> r : rows) t.add(r.toArray());
                yield t.toCsv();
            }
            case md -> markdown(headers, rows);
            case json -> json(objects(headers, rows), true) + "\n";
            case jsonl -> {
                StringBuilder b = new StringBuilder();
                for (Map<String, Object> o : objects(headers, rows)) b.append(json(o, false)).append('\n');
                yield b.toString();
            }
        };
    }

    /** Renders every row of a CSV file written by a stage (all its columns, in file order). */
    public static String render(Format f, Path csvFile) {
        List<Row> rows = Row.readAll(csvFile);
        List<String> headers = new ArrayList<>();
        for (Row r : rows) for (String k : r.values().keySet()) if (!headers.contains(k)) headers.add(k);
        List<List<String>> cells = new ArrayList<>();
        for (Row r : rows) {
            List<String> c = new ArrayList<>();
            for (String h : headers) c.add(r.values().getOrDefault(h, ""));
            cells.add(c);
        }
        return render(f, headers, cells);
    }

    /** Renders an in-memory table (cells as {@link CsvTable#toCsv} writes them: NaN empty, doubles to 7 digits). */
    public static String render(Format f, CsvTable t) {
        List<List<String>> cells = new ArrayList<>();
        for (List<Object> r : t.rows()) {
            List<String> c = new ArrayList<>();
            for (Object o : r) c.add(CsvTable.plain(o));
            cells.add(c);
        }
        return render(f, t.columns(), cells);
    }

    static List<Map<String, Object>> objects(List<String> headers, List<List<String>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<String> r : rows) {
            Map<String, Object> o = new LinkedHashMap<>();
            for (int i = 0; i < headers.size(); i++) o.put(headers.get(i), typed(i < r.size() ? r.get(i) : ""));
            out.add(o);
        }
        return out;
    }

    private static boolean notANumber(String s) {
        return s != null && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity") || s.equals("+Infinity"));
    }

    static Object typed(String s) { return dev.infercost.results.ResultsJson.typed(s); }

    private static final ObjectMapper JSON = new ObjectMapper();

    static String json(Object o, boolean pretty) {
        try {
            return pretty ? JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o) : JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static String markdown(List<String> headers, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("|");
        for (String h : headers) b.append(' ').append(md(h)).append(" |");
        b.append("\n|");
        for (String h : headers) b.append(typedNumeric(rows, headers.indexOf(h)) ? " ---: |" : " --- |");
        b.append('\n');
        for (List<String> r : rows) {
            b.append('|');
            for (int i = 0; i < headers.size(); i++) b.append(' ').append(md(i < r.size() ? r.get(i) : "")).append(" |");
            b.append('\n');
        }
        return b.toString();
    }

    private static boolean typedNumeric(List<List<String>> rows, int col) {
        boolean any = false;
        for (List<String> r : rows) {
            String s = col < r.size() ? r.get(col) : "";
            if (s.isEmpty()) continue;
            if (!(typed(s) instanceof Number)) return false;
            any = true;
        }
        return any;
    }

    private static String md(String s) { return s == null ? "" : s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " "); }
}
