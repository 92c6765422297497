package dev.infercost.cost;

import java.nio.file.Path;
import java.util.List;

/**
 * What the cost stage produced.
 *
 * @param rows      every cost.csv row (measured and projected)
 * @param written   the file written (cost.csv, or a new name if cost.csv existed; see notes)
 * @param notes     overridden catalog values, chips not projected and why, serving targets not costed, file renames
 * @param procurementTable the table printed by {@code infercost cost}: chips cheapest first with each row's basis
 */
public record CostResult(List<CostRow> rows, Path written, List<String> notes, String procurementTable) {}
