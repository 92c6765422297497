package dev.infercost.results;

import dev.infercost.BadInputException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One row of a run-folder table read back from CSV, accessed by typed column constant.
 *
 * @param file   where the row came from (named in every error), may be null for in-memory rows
 * @param line   1-based data-row number in that file (the header is row 0)
 * @param values header text to cell text; a missing column reads as ""
 */
public record Row(Path file, int line, Map<String, String> values) {

    /** Reads every data row of {@code file}. @throws BadInputException if the file cannot be read or parsed */
    public static List<Row> readAll(Path file) {
        List<Map<String, String>> maps = CsvTable.read(file);
        java.util.ArrayList<Row> out = new java.util.ArrayList<>(maps.size());
        for (int i = 0; i < maps.size(); i++) out.add(new Row(file, i + 1, maps.get(i)));
        return out;
    }

    /** @return the cell text of {@code c}, "" when absent */
    public String get(Column c) {
        String v = values.get(c.header());
        return v == null ? "" : v;
    }

    /** @return the cell text of {@code c}, or {@code dflt} when the cell is blank or the column absent */
    public String getOr(Column c, String dflt) {
        String v = get(c);
        return v.isBlank() ? dflt : v;
    }

    /** @return true when the cell of {@code c} is non-blank */
    public boolean has(Column c) { return !get(c).isBlank(); }

    /** @return whether the table this row came from has column {@code c} at all */
    public boolean hasColumn(Column c) { return values.containsKey(c.header()); }

    /**
     * @return the cell of {@code c} as a finite number, empty when blank
     * @throws BadInputException naming file, row, column and value when the cell is not a finite number
     */
    public OptionalDouble optNum(Column c) {
        String s = get(c).trim();
        if (s.isEmpty()) return OptionalDouble.empty();
        double d;
        try {
            d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw bad(c, s, "a number");
        }
        if (!Double.isFinite(d)) throw bad(c, s, "a finite number");
        return OptionalDouble.of(d);
    }

    /** @return the cell of {@code c} as a finite number, or {@code dflt} when blank. @throws BadInputException if not a number */
    public double num(Column c, double dflt) {
        OptionalDouble o = optNum(c);
        return o.isPresent() ? o.getAsDouble() : dflt;
    }

    /** @return the cell of {@code c} as a finite number. @throws BadInputException if blank or not a finite number */
    public double num(Column c) {
        OptionalDouble o = optNum(c);
        if (o.isEmpty()) throw bad(c, "", "a number");
        return o.getAsDouble();
    }

    /** @return the cell of {@code c} as an int (a whole number). @throws BadInputException otherwise */
    public int integer(Column c) {
        double d = num(c);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw bad(c, get(c), "a whole number");
        return (int) d;
    }

    private BadInputException bad(Column c, String value, String expected) {
        return new BadInputException((file == null ? "<table>" : file.toString()) + ": row " + line + ", column '"
                + c.header() + "': '" + value + "' is not " + expected);
    }
}
