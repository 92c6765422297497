package dev.infercost.cost;

import java.nio.file.Path;
import java.util.List;

/**
 * What the cost stage produced.
 *
 * @param rows      the cost.csv rows: every row with $/hour, $/M input, $/M output and $/query (measured and projected)
 * @param uncosted  rows that could not be priced or projected completely (no price in the catalog, model does not fit,
 *                  a spec figure missing), with tok/s where known and the reason in basis/assumptions; written to
 *                  cost_uncosted.csv so that readers of cost.csv always find complete money columns
 * @param written   the file written (cost.csv, or a new name if cost.csv existed; see notes)
 * @param notes     overridden catalog values, chips not projected and why, serving targets not costed, file renames
 * @param procurementTable the table printed by {@code infercost cost}: chips cheapest first with each row's basis
 * @param manifestSection  the "pricing" section of manifest.json: whether {@code --price-failed-accuracy} was given, the
 *                         measured rows priced under it, and those left unpriced because their accuracy gate failed
 */
public record CostResult(List<CostRow> rows, List<CostRow> uncosted, Path written, List<String> notes, String procurementTable,
                         java.util.Map<String, Object> manifestSection) {}
