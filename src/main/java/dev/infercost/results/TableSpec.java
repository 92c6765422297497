package dev.infercost.results;

import java.util.Arrays;
import java.util.List;

/**
 * A run-folder table: its file name and its column enum. Every table a stage writes or reads is one constant
 * of a spec like this, defined in {@code dev.infercost.results}, so the contract between stages lives in one
 * package that every stage stands on.
 *
 * @param file     file name inside a run folder, e.g. {@code "engine_bench.csv"}
 * @param columns  the column enum's class; its constants in declaration order are the CSV header order
 * @param <C>      the column enum
 */
public record TableSpec<C extends Enum<C> & Column>(String file, Class<C> columns) {
    /** @return the column constants in header order */
    public List<C> columnList() { return Arrays.asList(columns.getEnumConstants()); }

    /** @return the CSV headers in order (what {@link CsvTable} writes) */
    public List<String> headers() { return columnList().stream().map(Column::header).toList(); }

    /** @return a new empty table with exactly this spec's columns */
    public CsvTable newTable() { return new CsvTable(headers()); }
}
