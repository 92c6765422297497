package dev.infercost;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.io.CharConversionException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a Jackson (JSON or YAML) parse or mapping failure into the one-line bad-input message the CLI prints:
 * {@code FILE: line L, column C: field F: what was wrong; expected WHAT}. Never shows Java class names, Jackson token
 * names or SnakeYAML's multi-line excerpts, and never ends mid-sentence (Jackson's own messages end in " at " with an
 * empty source reference when the reader has no name).
 */
public final class ParseErrors {
    private ParseErrors() { }

    /**
     * @param what     the file (or resource) being read, as the user knows it
     * @param e        the exception Jackson threw
     * @param expected what a valid file holds, e.g. "a scenario: a YAML mapping with years:, ..." (for empty files)
     * @return the exception to throw (cause kept for INFERCOST_DEBUG)
     */
    public static BadInputException badInput(String what, Exception e, String expected) {
        return new BadInputException(what + ": " + describe(e, expected), e);
    }

    /** The message without the file name. */
    public static String describe(Exception e, String expected) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof CharConversionException c)
                return "not UTF-8 text (" + firstLine(c.getMessage()) + "); expected " + expected;
        String yaml = snakeYaml(e);
        if (yaml != null) return yaml;
        if (e instanceof MismatchedInputException m && m.getMessage() != null && m.getMessage().startsWith("No content to map"))
            return "the file is empty (no YAML/JSON content); expected " + expected;
        String where = location(e);
        String field = e instanceof JsonMappingException jm ? field(jm) : "";
        if (e instanceof UnrecognizedPropertyException u) {
            Collection<Object> known = u.getKnownPropertyIds();
            return where + "unknown field " + (field.isEmpty() ? "'" + u.getPropertyName() + "'" : field)
                    + (known == null || known.isEmpty() ? "" : "; expected one of " + known.stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)));
        }
        if (e instanceof MismatchedInputException m) {
            String got = got(m.getOriginalMessage());
            String want = m.getTargetType() == null ? null : kind(m.getTargetType());
            if (field.isEmpty() && want != null && !isScalar(m.getTargetType())) want = expected;
            return where + (field.isEmpty() ? "" : "field " + field + ": ")
                    + (want == null ? firstLine(m.getOriginalMessage()) : "expected " + want + (got == null ? "" : ", got " + got));
        }
        if (e instanceof JsonProcessingException p)
            return where + (field.isEmpty() ? "" : "field " + field + ": ") + clean(p.getOriginalMessage());
        return clean(e.getMessage());
    }

    /** SnakeYAML's syntax errors: "line L, column C: <problem> (<context>)". */
    private static String snakeYaml(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException y) {
                org.yaml.snakeyaml.error.Mark m = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
                String at = m == null ? "" : "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": ";
                String problem = y.getProblem() == null ? "" : y.getProblem().strip();
                String context = y.getContext() == null ? "" : y.getContext().strip();
                return at + "not valid YAML: " + (problem.isEmpty() ? context : problem + (context.isEmpty() ? "" : " (" + context + ")"));
            }
            if (t instanceof org.yaml.snakeyaml.error.YAMLException y)
                return "not valid YAML: " + firstLine(y.getMessage());
        }
        return null;
    }

    private static String location(Throwable e) {
        if (!(e instanceof JsonProcessingException p)) return "";
        JsonLocation l = p.getLocation();
        if (l == null || l.getLineNr() < 1) return "";
        return "line " + l.getLineNr() + (l.getColumnNr() > 0 ? ", column " + l.getColumnNr() : "") + ": ";
    }

    /** years[2].rate from Jackson's reference path; "" at the top level. */
    private static String field(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(r.getFieldName());
            else if (r.getIndex() >= 0) b.append('[').append(r.getIndex()).append(']');
        }
        return b.toString();
    }

    private static final Pattern FROM = Pattern.compile("from (\\w+) value(?: \\('([^']{0,60})')?");

    private static String got(String msg) {
        if (msg == null) return null;
        Matcher m = FROM.matcher(msg);
        if (!m.find()) return null;
        String kind = switch (m.group(1)) {
            case "String" -> "text";
            case "Array" -> "a list";
            case "Object" -> "a mapping";
            case "Integer", "Floating-point" -> "a number";
            case "Boolean" -> "true/false";
            case "Null" -> "nothing (null)";
            default -> m.group(1).toLowerCase(Locale.ROOT);
        };
        return m.group(2) == null ? kind : kind + " '" + m.group(2) + "'";
    }

    private static boolean isScalar(Class<?> c) {
        return c.isPrimitive() || Number.class.isAssignableFrom(c) || c == String.class || c == Boolean.class
                || Collection.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c) || c.isEnum();
    }

    private static String kind(Class<?> c) {
        if (c == int.class || c == long.class || c == Integer.class || c == Long.class || c == short.class || c == Short.class) return "an integer";
        if (c == double.class || c == float.class || Number.class.isAssignableFrom(c)) return "a number";
        if (c == boolean.class || c == Boolean.class) return "true or false";
        if (c == String.class) return "text";
        if (List.class.isAssignableFrom(c) || Collection.class.isAssignableFrom(c) || c.isArray()) return "a list";
        if (Map.class.isAssignableFrom(c)) return "a mapping";
        if (c.isEnum()) return "one of " + java.util.Arrays.toString(c.getEnumConstants());
        return "a mapping";
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }

    /** Jackson's message without its trailing source reference and class names. */
    private static String clean(String s) {
        String f = firstLine(s).replaceAll("\\s*\\(for \\w+ starting at \\[Source:.*$", "").replaceAll("\\s+at \\[Source:.*$", "").replaceAll("`[a-z]+(\\.[a-zA-Z0-9_$]+)+`", "value").replaceAll("\\s+at\\s*$", "");
        return f.isEmpty() ? "cannot be read" : f;
    }
}
