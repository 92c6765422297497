package dev.infercost.report;

import java.util.List;
import java.util.Locale;

/** Small HTML helpers: every text that reaches the page goes through {@link #esc(String)}. */
final class Html {
    private Html() {}

    /** Escapes {@code & < > " '} (OWASP rule #1 for HTML element content and quoted attributes). */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A number cell formatted to 4 significant digits; text passes through escaped. */
    static String cell(String raw) {
        if (raw == null || raw.isEmpty()) return "";
        try {
            double d = Double.parseDouble(raw);
            if (raw.matches("-?\\d{1,9}")) return esc(raw);
            double a = Math.abs(d);
            if (Double.isNaN(d) || Double.isInfinite(d)) return esc(raw);
            if (a != 0 && (a >= 1e9 || a < 1e-3)) return esc(String.format(Locale.ROOT, "%.4g", d));
            return esc(new java.math.BigDecimal(d).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString());
        } catch (NumberFormatException e) {
            return esc(raw);
        }
    }

    static String table(List<String> header, List<List<String>> rows, List<String> rowClasses) {
        StringBuilder b = new StringBuilder("<div class=\"tw\"><table><thead><tr>");
        for (String h : header) b.append("<th>").append(esc(h)).append("</th>");
        b.append("</tr></thead><tbody>\n");
        for (int i = 0; i < rows.size(); i++) {
            String cls = rowClasses == null ? null : rowClasses.get(i);
            b.append(cls == null || cls.isEmpty() ? "<tr>" : "<tr class=\"" + esc(cls) + "\">");
            for (String c : rows.get(i)) b.append(c != null && c.length() > 36 ? "<td class=\"long\">" : "<td>").append(cell(c)).append("</td>");
            b.append("</tr>\n");
        }
        return b.append("</tbody></table></div>\n").toString();
    }

    /**
     * A table the page's script makes sortable and filterable ({@code class="st"}). Each cell is {display, raw}:
     * the display text is shown (numbers formatted by {@link #cell}), the raw value goes into {@code data-v} for sorting.
     */
    static String sortable(List<String> header, List<List<String[]>> rows, List<String> rowClasses) {
        StringBuilder b = new StringBuilder("<div class=\"tw\"><table class=\"st\"><thead><tr>");
        for (String h : header) b.append("<th>").append(esc(h)).append("</th>");
        b.append("</tr></thead><tbody>\n");
        for (int i = 0; i < rows.size(); i++) {
            String cls = rowClasses == null ? null : rowClasses.get(i);
            b.append(cls == null || cls.isEmpty() ? "<tr>" : "<tr class=\"" + esc(cls) + "\">");
            for (String[] c : rows.get(i)) {
                String shown = c[0] == null ? "" : c[0];
                b.append(shown.length() > 36 ? "<td class=\"long\"" : "<td").append(" data-v=\"").append(esc(c[1] == null ? "" : c[1])).append("\">")
                        .append(cell(shown)).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</tbody></table></div>\n").toString();
    }
}
