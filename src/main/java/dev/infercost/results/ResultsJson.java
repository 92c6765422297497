package dev.infercost.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code results.json} of a run folder: everything its CSV tables hold plus its manifest, for scripts
 * ({@code json.load(open("results.json"))["tables"]["serving.csv"][0]["ttft_p99 [ms]"]}). Layout:
 * <pre>{ "format": "infercost-results/1", "run_id": ..., "manifest": {...}, "tables": { "FILE.csv": [ {header: value, ...}, ... ] } }</pre>
 * Cells are typed as in {@link #typed}: numbers, booleans, null for empty, text otherwise; headers keep their units.
 * Written like every run-folder file: never overwritten (a second call writes results-2.json).
 */
public final class ResultsJson {
    private ResultsJson() {}

    public static final String FILE = "results.json";

    /** @return the JSON document for the folder at {@code dir} (every *.csv in it, and manifest.json if present) */
    public static Map<String, Object> collect(Path dir) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", "infercost-results/1");
        Object manifest = null;
        Path mf = dir.resolve("manifest.json");
        if (Files.isRegularFile(mf)) {
            try {
                manifest = new ObjectMapper().readValue(mf.toFile(), Object.class);
            } catch (IOException e) {
                throw new dev.infercost.BadInputException(mf + ": not valid JSON: " + e.getMessage(), e);
            }
        }
        if (manifest instanceof Map<?, ?> m && m.get("run_id") != null) root.put("run_id", m.get("run_id"));
        root.put("manifest", manifest);
        Map<String, Object> tables = new LinkedHashMap<>();
        List<Path> csvs;
        try (Stream<Path> s = Files.list(dir)) {
            csvs = s.filter(p -> p.getFileName().toString().endsWith(".csv") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path f : csvs) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Row r : Row.readAll(f)) {
                Map<String, Object> o = new LinkedHashMap<>();
                for (var e : r.values().entrySet()) o.put(e.getKey(), typed(e.getValue()));
                rows.add(o);
            }
            tables.put(f.getFileName().toString(), rows);
        }
        root.put("tables", tables);
        return root;
    }

    /** Writes results.json (or results-N.json when taken) into {@code dir}. @return the written file */
    public static Path write(RunDirectory dir) {
        String name = FILE;
        for (int i = 2; dir.has(name); i++) name = "results-" + i + ".json";
        return dir.writeString(name, toJson(collect(dir.path())));
    }

    /** Pretty JSON of {@code o}. */
    public static String toJson(Object o) {
        try {
            return new ObjectMapper().writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /**
     * "12.5" -> 12.5, "42" -> 42, "true"/"false" -> booleans, "" and "NaN" (a figure that does not apply, e.g. the
     * target rate of an Offline point) and infinities -> null, other text unchanged.
     */
    public static Object typed(String s) {
        if (s == null || s.isEmpty() || s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity")) return null;
        if (s.equals("true") || s.equals("false")) return Boolean.parseBoolean(s);
        if (s.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            if (s.matches("-?\\d{1,18}")) return Long.parseLong(s);
            double d = Double.parseDouble(s);
            if (Double.isFinite(d)) return d;
        }
        return s;
    }
}
