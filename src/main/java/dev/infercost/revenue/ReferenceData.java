package dev.infercost.revenue;

import dev.infercost.BadInputException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import dev.infercost.results.ReferenceRevenueColumn;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bundled reference table {@code dev/infercost/reference/revenue.csv} (copied from the project's
 * sourced reference data; see revenue-SOURCES.md next to it). Columns: {@link ReferenceRevenueColumn}
 * (a classpath resource, not a run-folder table). Values may be text or ranges ("0.52 -> 0.70");
 * {@link Row#numericValue()} is null for those.
 */
public final class ReferenceData {
    public static final String REVENUE_RESOURCE = "/dev/infercost/reference/revenue.csv";

    public record Row(String entity, String metric, String period, String value, String unit, String sourceUrl,
                      String sourceDate, String confidence, String notes) {
        public String key() { return entity + "|" + metric + "|" + period; }

        public Double numericValue() {
            try {
                return Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static ReferenceData revenue;
    private final Map<String, Row> rows = new LinkedHashMap<>();

    private ReferenceData(List<Row> list) { for (Row r : list) rows.put(r.key(), r); }

    /** The bundled revenue.csv (loaded once). */
    public static synchronized ReferenceData revenue() {
        if (revenue == null) {
            try (InputStream in = ReferenceData.class.getResourceAsStream(REVENUE_RESOURCE)) {
                if (in == null) throw new IllegalStateException("missing resource " + REVENUE_RESOURCE);
                revenue = new ReferenceData(parse(new InputStreamReader(in, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + REVENUE_RESOURCE, e);
            }
        }
        return revenue;
    }

    static List<Row> parse(Reader r) throws IOException {
        List<Row> out = new ArrayList<>();
        try (CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (CSVRecord c : p)
                out.add(new Row(cell(c, ReferenceRevenueColumn.ENTITY), cell(c, ReferenceRevenueColumn.METRIC), cell(c, ReferenceRevenueColumn.PERIOD),
                        cell(c, ReferenceRevenueColumn.VALUE), cell(c, ReferenceRevenueColumn.UNIT), cell(c, ReferenceRevenueColumn.SOURCE_URL),
                        cell(c, ReferenceRevenueColumn.SOURCE_DATE), cell(c, ReferenceRevenueColumn.CONFIDENCE), cell(c, ReferenceRevenueColumn.NOTES)));
        }
        return out;
    }

    private static String cell(CSVRecord c, ReferenceRevenueColumn col) { return c.get(col.header()); }

    public List<Row> rows() { return List.copyOf(rows.values()); }

    /** The row {@code entity|metric|period}. @throws BadInputException naming close matches when absent. */
    public Row find(String key) {
        Row r = rows.get(key);
        if (r != null) return r;
        String[] parts = key.split("\\|", -1);
        List<String> near = new ArrayList<>();
        for (String k : rows.keySet())
            if (parts.length > 1 && k.contains("|" + parts[1] + "|")) near.add(k);
        throw new BadInputException("reference revenue.csv has no row '" + key + "' (entity|metric|period)"
                + (near.isEmpty() ? "" : "; rows with that metric: " + String.join(", ", near.subList(0, Math.min(8, near.size())))));
    }
}
