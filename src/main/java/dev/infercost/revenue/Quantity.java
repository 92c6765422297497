package dev.infercost.revenue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import dev.infercost.BadInputException;

import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * One scenario input with its provenance. In YAML either a bare number (then it is a user-stated
 * {@code assumed} value with no source) or a map:
 * <pre>
 * {value: 30e9, unit: USD, source: https://..., date: 2026-05-11, confidence: medium, note: "..."}
 * {ref: "OpenAI|revenue|2026 (projection)", scale: 1e9}      # value and citation from reference revenue.csv
 * </pre>
 * {@code confidence} is one of high | medium | low | assumed (the reference files' scale, plus
 * {@code assumed} for anything not reported by a source). A {@code ref} names a row of the bundled
 * reference revenue.csv by {@code entity|metric|period}; its value is multiplied by {@code scale}
 * (e.g. 1e9 for "USD bn"); an explicit {@code value} next to a ref picks one number out of a reported
 * range and keeps the ref's citation.
 */
@JsonDeserialize(using = Quantity.Deserializer.class)
public final class Quantity {
    public static final Set<String> CONFIDENCE = Set.of("high", "medium", "low", "assumed");

    public final double value;
    public final String unit;
    public final String source;
    public final String date;
    public final String confidence;
    public final String note;
    /** The reference row this value was taken from ("entity|metric|period"), or null. */
    public final String ref;

    public Quantity(double value, String unit, String source, String date, String confidence, String note, String ref) {
        this.value = value;
        this.unit = unit == null ? "" : unit;
        this.source = source == null ? "" : source;
        this.date = date == null ? "" : date;
        this.confidence = confidence == null ? "assumed" : confidence;
        this.note = note == null ? "" : note;
        this.ref = ref;
    }

    /** A user-stated value without a source: confidence {@code assumed}. */
    public static Quantity assumed(double v) { return new Quantity(v, "", "", "", "assumed", "", null); }

    /** This quantity with another value (same citation), e.g. after a unit conversion. */
    public Quantity withValue(double v, String newNote) {
        return new Quantity(v, unit, source, date, confidence, newNote == null ? note : newNote, ref);
    }

    public boolean isAssumed() { return "assumed".equals(confidence); }

    /** "medium; https://...; 2026-05-11" or "assumed". */
    public String citation() {
        StringBuilder b = new StringBuilder(confidence);
        if (!source.isEmpty()) b.append("; ").append(source);
        if (!date.isEmpty()) b.append("; ").append(date);
        return b.toString();
    }

    @Override
    public String toString() { return value + (unit.isEmpty() ? "" : " " + unit) + " [" + citation() + "]"; }

    /** Reads a bare number or a {value|ref, ...} map; refs are resolved against the bundled reference revenue.csv. */
    public static final class Deserializer extends StdDeserializer<Quantity> {
        /** The scenario YAML's value key (a YAML key of this format, not a results-table column). */
        private static final String VALUE = "value";
        private static final Set<String> KEYS = Set.of(VALUE, "unit", "source", "date", "confidence", "note", "ref", "scale");

        public Deserializer() { super(Quantity.class); }

        @Override
        public Quantity deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode n = p.readValueAsTree();
            String where = p.currentLocation() == null ? "" : " (line " + p.currentLocation().getLineNr() + ")";
            if (n.isNumber()) return assumed(n.doubleValue());
            if (n.isTextual()) {
                try {
                    return assumed(Double.parseDouble(n.textValue().trim()));
                } catch (NumberFormatException e) {
                    throw new BadInputException("scenario" + where + ": '" + n.textValue() + "' is not a number; expected a number or {value: .., source: .., confidence: ..}");
                }
            }
            if (!n.isObject()) throw new BadInputException("scenario" + where + ": expected a number or a map with value/ref, got " + n.getNodeType());
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) throw new BadInputException("scenario" + where + ": unknown key '" + k + "' in a value; expected one of " + KEYS);
            }
            String conf = text(n, "confidence");
            if (conf != null && !CONFIDENCE.contains(conf))
                throw new BadInputException("scenario" + where + ": confidence '" + conf + "' must be one of " + CONFIDENCE);
            double scale = n.has("scale") ? n.get("scale").asDouble() : 1.0;
            String ref = text(n, "ref");
            if (ref != null && scale != 1.0 && text(n, "unit") == null)
                throw new BadInputException("scenario" + where + ": ref '" + ref + "' is scaled by " + scale + "; give the resulting unit: too (e.g. unit: USD)");
            if (ref != null) {
                ReferenceData.Row row = ReferenceData.revenue().find(ref);
                Double v = n.has(VALUE) ? Double.valueOf(n.get(VALUE).asDouble()) : row.numericValue();
                if (v == null)
                    throw new BadInputException("scenario" + where + ": reference '" + ref + "' has value '" + row.value()
                            + "', not a single number; give value: next to ref: to pick one");
                String note = row.notes();
                if (n.has(VALUE)) note = "value " + n.get(VALUE).asText() + " chosen from reported '" + row.value() + " " + row.unit() + "'; " + note;
                if (text(n, "note") != null) note = text(n, "note") + "; " + note;
                return new Quantity(v * scale, text(n, "unit") != null ? text(n, "unit") : row.unit(),
                        row.sourceUrl().isEmpty() ? "(no URL retained in reference)" : row.sourceUrl(),
                        row.sourceDate(), row.confidence(), note, ref);
            }
            if (!n.has(VALUE)) throw new BadInputException("scenario" + where + ": a value map needs 'value' or 'ref'");
            JsonNode v = n.get(VALUE);
            if (!v.isNumber()) throw new BadInputException("scenario" + where + ": value '" + v.asText() + "' is not a number");
            String source = text(n, "source");
            if (conf == null) conf = "assumed";
            if (!"assumed".equals(conf) && (source == null || source.isBlank()))
                throw new BadInputException("scenario" + where + ": confidence '" + conf + "' needs a source; unsourced values are 'assumed'");
            return new Quantity(v.doubleValue() * scale, text(n, "unit"), source, text(n, "date"), conf, text(n, "note"), null);
        }

        private static String text(JsonNode n, String k) {
            JsonNode v = n.get(k);
            return v == null || v.isNull() ? null : v.asText();
        }
    }
}
