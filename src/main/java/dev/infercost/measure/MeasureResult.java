package dev.infercost.measure;

import dev.infercost.results.CsvTable;

import java.util.List;
import java.util.Map;

/**
 * What the measure stage wrote: engine_bench.csv (and serving.csv, energy.csv) in the run folder.
 *
 * @param engineBench       the engine_bench.csv table as written
 * @param energy            the energy.csv table as written (benchmark windows, then serving windows)
 * @param failures          configurations that failed and were skipped (backend, phase, batch_size, reason)
 * @param manifestSections  sections for manifest.json (model, backends, jmh settings, failures, serve_bench)
 */
public record MeasureResult(CsvTable engineBench, CsvTable energy, List<Map<String, Object>> failures,
                            Map<String, Object> manifestSections) {
}
