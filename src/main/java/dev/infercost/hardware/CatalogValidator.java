package dev.infercost.hardware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.infercost.BadInputException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Validates a user catalog file (CSV or YAML, the layouts {@link Catalog#load} reads) before it is merged: the
 * file is UTF-8 text and well-formed; it has the {@code value} column of its layout; every value is a finite
 * number or range; spec figures a chip cannot have at zero (memory bandwidth, memory capacity, TDP, peak FLOP/s,
 * power) are positive; PUE lies in [1, 5] (fractions are checked where used, by {@code cost.Tco});
 * and no two rows give different values for the same chip, metric and provider (or parameter and scope).
 * Each failure names the file and line (or YAML item), the field, the value and what was expected.
 */
public final class CatalogValidator {
    private CatalogValidator() {}

    /** @throws BadInputException as described in the class comment */
    public static void check(Path f) {
        if (!Files.isRegularFile(f)) throw new BadInputException(f + ": catalog file not found");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f))).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(f + ": not a UTF-8 text file (binary?); expected a catalog CSV or YAML");
        } catch (IOException e) {
            throw new BadInputException(f + ": cannot read catalog: " + e.getMessage(), e);
        }
        if (text.indexOf('\0') >= 0) throw new BadInputException(f + ": contains NUL bytes (binary?); expected a catalog CSV or YAML");
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        if (name.endsWith(".yaml") || name.endsWith(".yml")) yaml(f, text, rows, origins);
        else csv(f, text, rows, origins);
        if (rows.isEmpty()) throw new BadInputException(f + ": catalog file has no rows");
        boolean fileAcc = rows.get(0).containsKey("accelerator") || rows.get(0).containsKey("metric");
        Map<String, String> seen = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> r = rows.get(i);
            // a YAML file mixes datacenter rows (parameter) and accelerator rows: decide per row
            boolean acc = !r.getOrDefault("accelerator", "").isBlank() || !r.getOrDefault("metric", "").isBlank()
                    || (fileAcc && r.getOrDefault("parameter", "").isBlank());
            String at = origins.get(i);
            if (!r.containsKey("value")) throw new BadInputException(at + ": no 'value' column (expected " + (acc ? "accelerator,metric,value,unit,..." : "parameter,value,unit,...") + ")");
            String v = r.get("value").trim();
            String what = acc ? r.getOrDefault("accelerator", "") + " " + r.getOrDefault("metric", "") : r.getOrDefault("parameter", "");
            String key = (acc ? "A|" : "D|") + (acc ? r.getOrDefault("accelerator", "").trim().toLowerCase(Locale.ROOT) + "|" + r.getOrDefault("metric", "").trim().toLowerCase(Locale.ROOT)
                    + "|" + r.getOrDefault("provider", "").trim() : r.getOrDefault("parameter", "").trim() + "|" + r.getOrDefault("scope", "").trim());
            String old = seen.put(key, v);
            if (old != null && !old.equals(v))
                throw new BadInputException(at + ": " + what + " = " + v + " conflicts with an earlier row giving " + old + "; keep one value per "
                        + (acc ? "chip, metric and provider" : "parameter and scope"));
            if (v.isEmpty()) continue;
            CatalogValue cv = CatalogValue.parse(v, r.get("unit"), "", "", "", "", "", at, true);
            if (!cv.present()) {
                if (v.matches(".*\\d.*") || v.toLowerCase(Locale.ROOT).matches(".*(nan|inf).*"))
                    throw new BadInputException(at + ": " + what + " value '" + v + "' is not a finite number or range");
                continue; // plain text ("single-digit cents"); Catalog reports it where a number is needed
            }
            if (!Double.isFinite(cv.low()) || !Double.isFinite(cv.high()) || !Double.isFinite(cv.value()))
                throw new BadInputException(at + ": " + what + " value '" + v + "' is not finite");
            String metric = (acc ? r.getOrDefault("metric", "") : r.getOrDefault("parameter", "")).trim().toLowerCase(Locale.ROOT);
            if (acc && mustBePositive(metric) && !(cv.low() > 0))
                throw new BadInputException(at + ": " + what + " = " + v + ": expected a positive figure (a chip with zero " + metric + " cannot run anything)");
            if (!acc) {
                if (metric.equals("pue") && !(cv.low() >= 1 && cv.high() <= 5))
                    throw new BadInputException(at + ": pue = " + v + ": expected a power usage effectiveness in [1, 5]");
                // fractions (gpu_utilisation, shares) are range-checked where they are used (Tco.checkFraction), naming the row
            }
        }
    }

    static boolean mustBePositive(String metric) {
        return metric.equals("memory_bandwidth") || metric.equals("hbm_capacity") || metric.equals("memory") || metric.equals("tdp")
                || metric.endsWith("_dense") || metric.equals("all_in_power");
    }

    private static void csv(Path f, String text, List<Map<String, String>> rows, List<String> origins) {
        try (Reader r = new java.io.StringReader(text);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get().parse(r)) {
            for (CSVRecord rec : p) {
                Map<String, String> m = new LinkedHashMap<>();
                for (String h : p.getHeaderNames()) m.put(h.trim().toLowerCase(Locale.ROOT), rec.isMapped(h) && rec.isSet(h) ? rec.get(h) : "");
                rows.add(m);
                origins.add(f + ":" + (rec.getRecordNumber() + 1));
            }
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(f + ": malformed CSV: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        }
    }

    private static void yaml(Path f, String text, List<Map<String, String>> rows, List<String> origins) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException | RuntimeException e) {
            throw dev.infercost.ParseErrors.badInput(f.toString(), e, "a YAML mapping with 'accelerators:' and/or 'datacenter:' lists");
        }
        if (root == null || !root.isObject()) throw new BadInputException(f + ": expected a YAML mapping with 'accelerators:' and/or 'datacenter:' lists");
        for (String section : List.of("accelerators", "datacenter")) {
            JsonNode list = root.get(section);
            if (list == null) continue;
            if (!list.isArray()) throw new BadInputException(f + " " + section + ": expected a list");
            int i = 0;
            for (JsonNode item : list) {
                i++;
                if (!item.isObject()) throw new BadInputException(f + " " + section + " item " + i + ": expected a mapping");
                Map<String, String> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isContainerNode()) throw new BadInputException(f + " " + section + " item " + i + ": " + e.getKey() + " must be a scalar");
                    m.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().isNull() ? "" : e.getValue().asText());
                }
                rows.add(m);
                origins.add(f + " " + section + " item " + i);
            }
        }
    }
}
