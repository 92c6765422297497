package dev.infercost.results;

import dev.infercost.BadInputException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory result table written with Commons CSV. Column names carry their unit in square
 * brackets, e.g. {@code "decode_throughput [tok/s]"}; unit-less columns (labels, counts named as such)
 * have none. Text cells that a spreadsheet would execute (starting with {@code = + - @}, tab or CR and not
 * a number) are prefixed with an apostrophe, per OWASP's CSV-injection guidance
 * (https://owasp.org/www-community/attacks/CSV_Injection).
 */
public final class CsvTable {
    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();

    public CsvTable(List<String> columns) { this.columns = List.copyOf(columns); }

    public CsvTable(String... columns) { this(List.of(columns)); }

    public List<String> columns() { return columns; }

    public List<List<Object>> rows() { return rows; }

    /** Adds a row; values in column order. Doubles are written with up to 6 significant decimals, NaN as empty. */
    public CsvTable add(Object... values) {
        if (values.length != columns.size())
            throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns " + columns);
        rows.add(java.util.Arrays.asList(values.clone()));
        return this;
    }

    /** Adds a row from a map keyed by column name; missing columns are empty. Unknown keys are an error. */
    public CsvTable add(Map<String, ?> values) {
        for (String k : values.keySet())
            if (!columns.contains(k)) throw new IllegalArgumentException("unknown column '" + k + "' (have " + columns + ")");
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) row[i] = values.get(columns.get(i));
        return add(row);
    }

    /**
     * Adds a row from a map keyed by column constant (e.g. {@link EngineBenchColumn}); missing columns are empty.
     * @throws IllegalArgumentException if a key's header is not a column of this table
     */
    public CsvTable addRow(Map<? extends Column, ?> values) {
        Map<String, Object> byHeader = new LinkedHashMap<>();
        values.forEach((c, v) -> byHeader.put(c.header(), v));
        return add(byHeader);
    }

    /** The CSV text. */
    public String toCsv() {
        StringWriter w = new StringWriter();
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get())) {
            p.printRecord(columns);
            for (List<Object> r : rows) {
                List<String> cells = new ArrayList<>(r.size());
                for (Object o : r) cells.add(cell(o));
                p.printRecord(cells);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    /**
     * A cell as plain text, as {@link #toCsv} writes it but without the formula escape (for Markdown and JSON
     * renderers): null, NaN and infinities are empty (a figure that does not apply), doubles have up to 7
     * significant digits, booleans and other values their text.
     */
    public static String plain(Object o) {
        if (o == null) return "";
        if (o instanceof Double d) return formatDouble(d);
        if (o instanceof Float f) return formatDouble(f.doubleValue());
        return o.toString();
    }

    static String cell(Object o) {
        if (o == null) return "";
        if (o instanceof Double d) return formatDouble(d);
        if (o instanceof Float f) return formatDouble(f.doubleValue());
        if (o instanceof Number || o instanceof Boolean) return o.toString();
        return escapeFormula(o.toString());
    }

    static String formatDouble(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) return "";
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        double a = Math.abs(d);
        if (a >= 1e-4 && a < 1e15) {
            java.math.BigDecimal bd = new java.math.BigDecimal(d).round(new java.math.MathContext(7));
            return bd.stripTrailingZeros().toPlainString();
        }
        return String.format(java.util.Locale.ROOT, "%.6e", d);
    }

    /** Prefixes spreadsheet-formula-looking text with an apostrophe; numbers pass unchanged. */
    public static String escapeFormula(String s) {
        if (s.isEmpty()) return s;
        char c = s.charAt(0);
        if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
            try {
                Double.parseDouble(s);
                return s;
            } catch (NumberFormatException e) {
                return "'" + s;
            }
        }
        return s;
    }

    /** Reads a CSV with a header row into maps keyed by column name (insertion-ordered). */
    public static List<Map<String, String>> read(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            List<Map<String, String>> out = new ArrayList<>();
            for (CSVRecord rec : parser) {
                Map<String, String> m = new LinkedHashMap<>();
                for (String h : parser.getHeaderNames()) m.put(h, rec.isMapped(h) && rec.isSet(h) ? rec.get(h) : "");
                out.add(m);
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read CSV: " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new BadInputException(file + ": malformed CSV: " + e.getMessage(), e);
        }
    }
}
