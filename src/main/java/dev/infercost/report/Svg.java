package dev.infercost.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Inline SVG charts for report.html: crisp text, no images, no script, no network. Every series gets a style
 * (colour, dash pattern) that no other series of the same chart has ({@link #styles}); measured series are solid,
 * projected ones dashed, invalid points are drawn as red crosses, reference lines (SLOs, targets) are labelled.
 * Axes switch to log10 when positive values span more than {@link #LOG_SPAN}x. Each series element carries
 * {@code data-series} and {@code data-style} attributes so tests (and the browser check) can read what is drawn.
 */
final class Svg {
    private Svg() {}

    /** Above this max/min ratio of positive values an axis is drawn log10, so small values stay visible next to big ones. */
    static final double LOG_SPAN = 30;

    /** 20 colours distinguishable on white (Tableau 10 and a darker/brighter complement), in assignment order. */
    static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f", "#edc948", "#ff9da7", "#17becf",
            "#1f3a93", "#a0522d", "#2e7d32", "#8e24aa", "#c62828", "#00838f", "#6d4c41", "#9e9d24", "#ad1457", "#37474f"};
    /** Dash patterns: solid and dash-dot for measured series, dashed and dotted for projected ones. */
    static final String SOLID = "", DASHED = "7 4", DOTTED = "2 3", DASHDOT = "9 3 2 3";

    /** One line series: points {x, y} or {x, y, yError}; {@code invalid} marks points by index. */
    record Series(String label, List<double[]> points, boolean projected, Set<Integer> invalid) {
        Series(String label, List<double[]> points, boolean projected) { this(label, points, projected, Set.of()); }
    }

    /** One bar series: value per category (NaN = none), optional error per category, hatched when projected/estimated. */
    record Bars(String label, Map<String, Double> values, Map<String, Double> errors, boolean hatched) {}

    /** A reference line: horizontal ({@code horizontal}, at y) or vertical (at x), with a label. */
    record Ref(boolean horizontal, double at, String label) {}

    /**
     * Assigns each series a (colour, dash) pair no other series has: colours first (one per series while the
     * palette lasts), then the second dash pattern of the series' kind. @return {colour, dash} per series, in order
     */
    static List<String[]> styles(List<Boolean> projected) {
        List<String[]> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        int next = 0;
        for (boolean p : projected) {
            String[] dashes = p ? new String[]{DASHED, DOTTED} : new String[]{SOLID, DASHDOT};
            String[] pick = null;
            Set<String> anyUse = new HashSet<>();
            for (String u : used) anyUse.add(u.substring(0, u.indexOf('|')));
            for (int k = 0; k < PALETTE.length && pick == null; k++) {       // a colour nobody uses yet
                String c = PALETTE[(next + k) % PALETTE.length];
                if (!anyUse.contains(c)) pick = new String[]{c, dashes[0]};
            }
            for (int k = 0; k < PALETTE.length && pick == null; k++) {       // else a colour not yet used with the 2nd dash
                String c = PALETTE[(next + k) % PALETTE.length];
                if (!used.contains(c + "|" + dashes[1])) pick = new String[]{c, dashes[1]};
            }
            for (int k = 0; k < PALETTE.length && pick == null; k++) {
                String c = PALETTE[(next + k) % PALETTE.length];
                if (!used.contains(c + "|" + dashes[0])) pick = new String[]{c, dashes[0]};
            }
            if (pick == null) { // more than 40 series of one kind: fall back to a unique width-coded grey dash
                pick = new String[]{"#555555", (2 + out.size()) + " " + (1 + out.size() % 5)};
            }
            used.add(pick[0] + "|" + pick[1]);
            next = (indexOf(pick[0]) + 1) % PALETTE.length;
            out.add(pick);
        }
        return out;
    }

    private static int indexOf(String c) {
        for (int i = 0; i < PALETTE.length; i++) if (PALETTE[i].equals(c)) return i;
        return 0;
    }

    // ------------------------------------------------------------------ axes

    /** A numeric axis mapped onto [p0, p1] pixels, linear or log10. */
    record Axis(double lo, double hi, boolean log, double p0, double p1) {
        static Axis of(List<Double> values, boolean allowLog, boolean fromZero, double p0, double p1) {
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            boolean allPos = true;
            for (double v : values) {
                if (!Double.isFinite(v)) continue;
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (v <= 0) allPos = false;
            }
            if (min == Double.POSITIVE_INFINITY) { min = 0; max = 1; }
            boolean log = allowLog && allPos && max / min > LOG_SPAN;
            if (log) return new Axis(Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max))), true, p0, p1);
            if (fromZero) { min = Math.min(0, min); max = Math.max(0, max); }
            if (max == min) { max = min + (min == 0 ? 1 : Math.abs(min) * 0.1); }
            double step = niceStep((max - min) / 5);
            return new Axis(Math.floor(min / step) * step, Math.ceil(max / step) * step, false, p0, p1);
        }

        double px(double v) {
            double f = log ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
            return p0 + f * (p1 - p0);
        }

        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            if (log) {
                int decades = (int) Math.round(Math.log10(hi / lo));
                for (double d = lo; d <= hi * 1.0001; d *= 10) {
                    t.add(d);
                    if (decades <= 2 && d * 10 <= hi * 1.0001) { t.add(2 * d); t.add(5 * d); }
                }
                return t;
            }
            double step = niceStep((hi - lo) / 5);
            for (double v = lo; v <= hi + step * 1e-6; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
            return t;
        }
    }

    static double niceStep(double raw) {
        if (!(raw > 0)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    static String num(double v) {
        double a = Math.abs(v);
        if (a == 0) return "0";
        if (a >= 1e6 || a < 1e-3) return String.format(Locale.ROOT, "%.2g", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        String s = String.format(Locale.ROOT, "%.3g", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    // ------------------------------------------------------------------ charts

    static final int W = 980, H = 400;

    /**
     * A line chart, one path per series with a direct label at its right end.
     *
     * @param xLog allow a log x axis when the data span demands it; same for {@code yLog}
     */
    static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Ref> refs, boolean xLog, boolean yLog, String alt) {
        List<Series> s = series.stream().filter(x -> x.points().stream().anyMatch(p -> Double.isFinite(p[0]) && Double.isFinite(p[1]))).toList();
        int left = 74, right = 240, top = 38, bottom = 52;
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (Series x : s) for (double[] p : x.points()) if (Double.isFinite(p[0]) && Double.isFinite(p[1])) {
            xs.add(p[0]);
            ys.add(p[1]);
            if (p.length > 2 && Double.isFinite(p[2])) { ys.add(p[1] + p[2]); ys.add(Math.max(p[1] - p[2], p[1] / 10)); }
        }
        for (Ref r : refs) if (Double.isFinite(r.at())) (r.horizontal() ? ys : xs).add(r.at());
        Axis ax = Axis.of(xs, xLog, false, left, W - right), ay = Axis.of(ys, yLog, true, H - bottom, top);
        StringBuilder b = open(title, alt, s.size());
        frame(b, ax, ay, xLabel, yLabel, left, right, top, bottom);
        List<String[]> st = styles(s.stream().map(Series::projected).toList());
        List<double[]> labelPos = new ArrayList<>();
        boolean anyInvalid = false;
        for (int i = 0; i < s.size(); i++) {
            Series x = s.get(i);
            List<double[]> pts = new ArrayList<>();
            for (double[] p : x.points()) if (Double.isFinite(p[0]) && Double.isFinite(p[1])) pts.add(p);
            pts.sort((a, c) -> Double.compare(a[0], c[0]));
            String col = st.get(i)[0], dash = st.get(i)[1];
            b.append("<g class=\"series\" data-series=\"").append(Html.esc(x.label())).append("\" data-style=\"").append(col).append('|').append(dash)
                    .append("\" data-kind=\"").append(x.projected() ? "projected" : "measured").append("\">");
            StringBuilder d = new StringBuilder();
            for (double[] p : pts) d.append(d.length() == 0 ? "M" : " L").append(f(ax.px(p[0]))).append(',').append(f(ay.px(p[1])));
            b.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(col).append("\" stroke-width=\"2.2\"")
                    .append(dash.isEmpty() ? "" : " stroke-dasharray=\"" + dash + "\"").append("><title>").append(Html.esc(x.label())).append("</title></path>");
            for (int k = 0; k < x.points().size(); k++) {
                double[] p = x.points().get(k);
                if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) continue;
                double px = ax.px(p[0]), py = ay.px(p[1]);
                if (p.length > 2 && Double.isFinite(p[2]) && p[2] > 0) {
                    double y0 = ay.px(Math.max(p[1] - p[2], ay.log() ? ay.lo() : -1e300)), y1 = ay.px(p[1] + p[2]);
                    b.append("<path class=\"err\" d=\"M").append(f(px)).append(',').append(f(y0)).append(" V").append(f(y1)).append(" M").append(f(px - 4)).append(',')
                            .append(f(y0)).append(" h8 M").append(f(px - 4)).append(',').append(f(y1)).append(" h8\" stroke=\"").append(col).append("\" fill=\"none\"/>");
                }
                String tip = Html.esc(x.label() + ": " + num(p[0]) + ", " + num(p[1]));
                if (x.invalid().contains(k)) {
                    anyInvalid = true;
                    b.append("<path class=\"invalid\" d=\"M").append(f(px - 5)).append(',').append(f(py - 5)).append(" l10,10 M").append(f(px - 5)).append(',')
                            .append(f(py + 5)).append(" l10,-10\" stroke=\"#d00000\" stroke-width=\"2.4\"><title>INVALID ").append(tip).append("</title></path>");
                } else {
                    b.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"3.2\" fill=\"").append(x.projected() ? "#fff" : col)
                            .append("\" stroke=\"").append(col).append("\" stroke-width=\"1.5\"><title>").append(tip).append("</title></circle>");
                }
            }
            b.append("</g>\n");
            double[] last = pts.get(pts.size() - 1);
            labelPos.add(new double[]{i, ax.px(last[0]), ay.px(last[1])});
        }
        directLabels(b, labelPos, s.stream().map(Series::label).toList(), st, W - right + 8);
        refs(b, refs, ax, ay, left, right, top, bottom);
        if (anyInvalid) b.append("<text x=\"").append(left + 6).append("\" y=\"").append(top + 14).append("\" class=\"note\" fill=\"#d00000\">× = invalid point (see table)</text>");
        return b.append("</svg>\n").toString();
    }

    /** Grouped bars with optional error bars; a legend above the plot; hatched series are projected/estimated. */
    static String bars(String title, String yLabel, List<Bars> series, boolean yLog, String alt) {
        List<String> cats = new ArrayList<>();
        for (Bars s : series) for (var e : s.values().entrySet()) if (Double.isFinite(e.getValue()) && !cats.contains(e.getKey())) cats.add(e.getKey());
        List<Bars> s = series.stream().filter(x -> x.values().values().stream().anyMatch(Double::isFinite)).toList();
        List<String[]> st = styles(s.stream().map(Bars::hatched).toList());
        int legendRows = (int) Math.ceil(s.size() / 3.0);
        int left = 74, right = 24, top = 40 + 16 * legendRows, bottom = 70;
        int h = H + 16 * legendRows;
        List<Double> ys = new ArrayList<>();
        for (Bars x : s) for (String c : cats) {
            double v = x.values().getOrDefault(c, Double.NaN);
            if (!Double.isFinite(v)) continue;
            ys.add(v);
            Double e = x.errors() == null ? null : x.errors().get(c);
            if (e != null && Double.isFinite(e)) ys.add(v + e);
        }
        Axis ax = new Axis(0, Math.max(1, cats.size()), false, left, W - right);
        Axis ay = Axis.of(ys, yLog, true, h - bottom, top);
        StringBuilder b = open(title, alt, s.size(), h);
        b.append("<defs>");
        for (int i = 0; i < s.size(); i++)
            if (s.get(i).hatched())
                b.append("<pattern id=\"h").append(i).append("-").append(Math.abs(title.hashCode())).append("\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">")
                        .append("<rect width=\"6\" height=\"6\" fill=\"#fff\"/><rect width=\"3\" height=\"6\" fill=\"").append(st.get(i)[0]).append("\"/></pattern>");
        b.append("</defs>");
        frameY(b, ay, yLabel, left, right, top, bottom, h);
        double gw = (W - left - right) / (double) Math.max(1, cats.size());
        double bw = Math.min(46, (gw * 0.8) / Math.max(1, s.size()));
        for (int ci = 0; ci < cats.size(); ci++) {
            double cx = left + gw * (ci + 0.5);
            String label = cats.get(ci);
            b.append("<text class=\"tick\" text-anchor=\"end\" transform=\"translate(").append(f(cx + 3)).append(',').append(h - bottom + 12).append(") rotate(-20)\">")
                    .append(Html.esc(label.length() > 28 ? label.substring(0, 27) + "…" : label)).append("</text>");
        }
        double base = ay.log() ? ay.lo() : 0;
        for (int i = 0; i < s.size(); i++) {
            Bars x = s.get(i);
            String col = st.get(i)[0];
            String fill = x.hatched() ? "url(#h" + i + "-" + Math.abs(title.hashCode()) + ")" : col;
            b.append("<g class=\"series\" data-series=\"").append(Html.esc(x.label())).append("\" data-style=\"").append(col).append('|').append(st.get(i)[1])
                    .append("\" data-kind=\"").append(x.hatched() ? "projected" : "measured").append("\">");
            for (int ci = 0; ci < cats.size(); ci++) {
                double v = x.values().getOrDefault(cats.get(ci), Double.NaN);
                if (!Double.isFinite(v)) continue;
                double x0 = left + gw * (ci + 0.5) - bw * s.size() / 2 + bw * i;
                double y0 = ay.px(base), y1 = ay.px(v);
                b.append("<rect class=\"bar\" x=\"").append(f(x0)).append("\" y=\"").append(f(Math.min(y0, y1))).append("\" width=\"").append(f(bw - 2))
                        .append("\" height=\"").append(f(Math.max(0.5, Math.abs(y0 - y1)))).append("\" fill=\"").append(fill).append("\" stroke=\"").append(col)
                        .append(x.hatched() ? "\" stroke-dasharray=\"4 2" : "").append("\"><title>").append(Html.esc(x.label() + " · " + cats.get(ci) + ": " + num(v)));
                Double e = x.errors() == null ? null : x.errors().get(cats.get(ci));
                if (e != null && Double.isFinite(e)) b.append(" ± ").append(Html.esc(num(e)));
                b.append("</title></rect>");
                if (e != null && Double.isFinite(e) && e > 0) {
                    double mx = x0 + (bw - 2) / 2, ea = ay.px(Math.max(v - e, ay.log() ? ay.lo() : -1e300)), eb = ay.px(v + e);
                    b.append("<path class=\"err\" d=\"M").append(f(mx)).append(',').append(f(ea)).append(" V").append(f(eb)).append(" M").append(f(mx - 4)).append(',')
                            .append(f(ea)).append(" h8 M").append(f(mx - 4)).append(',').append(f(eb)).append(" h8\" stroke=\"#222\" fill=\"none\"/>");
                }
            }
            b.append("</g>\n");
            int lr = i / 3, lc = i % 3;
            double lx = left + lc * ((W - left - right) / 3.0), ly = 34 + 16 * lr;
            b.append("<rect x=\"").append(f(lx)).append("\" y=\"").append(f(ly - 9)).append("\" width=\"14\" height=\"10\" fill=\"").append(fill).append("\" stroke=\"").append(col)
                    .append("\"/><text class=\"lab\" x=\"").append(f(lx + 18)).append("\" y=\"").append(f(ly)).append("\">")
                    .append(Html.esc(x.label().length() > 48 ? x.label().substring(0, 47) + "…" : x.label())).append("</text>");
        }
        return b.append("</svg>\n").toString();
    }

    // ------------------------------------------------------------------ pieces

    private static StringBuilder open(String title, String alt, int n) { return open(title, alt, n, H); }

    private static StringBuilder open(String title, String alt, int n, int h) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<figure class=\"chart\"><svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(h)
                .append("\" width=\"").append(W).append("\" height=\"").append(h).append("\" role=\"img\" aria-label=\"").append(Html.esc(alt))
                .append("\" data-series-count=\"").append(n).append("\">");
        b.append("<text x=\"12\" y=\"20\" class=\"title\">").append(Html.esc(title)).append("</text>\n");
        return b;
    }

    private static void frame(StringBuilder b, Axis ax, Axis ay, String xLabel, String yLabel, int left, int right, int top, int bottom) {
        frameY(b, ay, yLabel, left, right, top, bottom, H);
        for (double t : ax.ticks()) {
            double x = ax.px(t);
            b.append("<line x1=\"").append(f(x)).append("\" x2=\"").append(f(x)).append("\" y1=\"").append(top).append("\" y2=\"").append(H - bottom)
                    .append("\" class=\"grid\"/><text class=\"tick\" text-anchor=\"middle\" x=\"").append(f(x)).append("\" y=\"").append(H - bottom + 15).append("\">")
                    .append(num(t)).append("</text>");
        }
        b.append("<text class=\"axis\" text-anchor=\"middle\" x=\"").append(f((left + W - right) / 2.0)).append("\" y=\"").append(H - 12).append("\">")
                .append(Html.esc(xLabel + (ax.log() ? " (log scale)" : ""))).append("</text>\n");
    }

    private static void frameY(StringBuilder b, Axis ay, String yLabel, int left, int right, int top, int bottom, int h) {
        b.append("<rect x=\"").append(left).append("\" y=\"").append(top).append("\" width=\"").append(W - left - right).append("\" height=\"").append(h - top - bottom)
                .append("\" class=\"plot\"/>");
        for (double t : ay.ticks()) {
            double y = ay.px(t);
            b.append("<line x1=\"").append(left).append("\" x2=\"").append(W - right).append("\" y1=\"").append(f(y)).append("\" y2=\"").append(f(y))
                    .append("\" class=\"grid\"/><text class=\"tick\" text-anchor=\"end\" x=\"").append(left - 5).append("\" y=\"").append(f(y + 4)).append("\">")
                    .append(num(t)).append("</text>");
        }
        b.append("<text class=\"axis\" text-anchor=\"middle\" transform=\"translate(16,").append(f((top + h - bottom) / 2.0)).append(") rotate(-90)\">")
                .append(Html.esc(yLabel + (ay.log() ? " (log scale)" : ""))).append("</text>\n");
    }

    /** Labels at the right end of each line, pushed apart vertically so they never overlap (12 px apart). */
    private static void directLabels(StringBuilder b, List<double[]> pos, List<String> labels, List<String[]> st, double x) {
        List<double[]> sorted = new ArrayList<>(pos);
        sorted.sort((a, c) -> Double.compare(a[2], c[2]));
        double prev = -1e9;
        Map<Integer, Double> placed = new LinkedHashMap<>();
        for (double[] p : sorted) {
            double y = Math.max(p[2], prev + 12);
            placed.put((int) p[0], y);
            prev = y;
        }
        for (double[] p : pos) {
            int i = (int) p[0];
            double y = placed.get(i);
            String lab = labels.get(i);
            b.append("<path d=\"M").append(f(p[1] + 4)).append(',').append(f(p[2])).append(" L").append(f(x - 2)).append(',').append(f(y - 4))
                    .append("\" stroke=\"").append(st.get(i)[0]).append("\" stroke-width=\"0.7\" fill=\"none\"/>")
                    .append("<text class=\"lab direct\" x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" fill=\"").append(st.get(i)[0]).append("\">")
                    .append(Html.esc(lab.length() > 34 ? lab.substring(0, 33) + "…" : lab)).append("</text>");
        }
    }

    private static void refs(StringBuilder b, List<Ref> refs, Axis ax, Axis ay, int left, int right, int top, int bottom) {
        for (Ref r : refs) {
            if (!Double.isFinite(r.at())) continue;
            if (r.horizontal()) {
                double y = ay.px(r.at());
                b.append("<line class=\"ref\" x1=\"").append(left).append("\" x2=\"").append(W - right).append("\" y1=\"").append(f(y)).append("\" y2=\"").append(f(y))
                        .append("\"/><text class=\"reflab\" x=\"").append(W - right - 4).append("\" y=\"").append(f(y - 4)).append("\" text-anchor=\"end\">")
                        .append(Html.esc(r.label())).append("</text>");
            } else {
                double x = ax.px(r.at());
                b.append("<line class=\"ref\" y1=\"").append(top).append("\" y2=\"").append(H - bottom).append("\" x1=\"").append(f(x)).append("\" x2=\"").append(f(x))
                        .append("\"/><text class=\"reflab\" x=\"").append(f(x + 4)).append("\" y=\"").append(top + 12).append("\">").append(Html.esc(r.label())).append("</text>");
            }
        }
    }

    private static String f(double v) { return String.format(Locale.ROOT, "%.1f", v); }

    /** CSS for the SVG classes above (goes into the page's style sheet). */
    static final String CSS = """
            figure.chart{margin:10px 0 18px}svg.chart{max-width:100%;height:auto;border:1px solid #e4e4e4;background:#fff}
            svg .title{font:600 15px system-ui,sans-serif;fill:#1d1d1f}svg .tick{font:11px system-ui,sans-serif;fill:#444}
            svg .axis{font:12px system-ui,sans-serif;fill:#333}svg .lab{font:11.5px system-ui,sans-serif;fill:#222}
            svg .note,svg .reflab{font:11.5px system-ui,sans-serif;fill:#444}svg .plot{fill:#fafafa;stroke:#ccc}
            svg .grid{stroke:#e3e3e3;stroke-width:1}svg .ref{stroke:#333;stroke-width:1.3;stroke-dasharray:3 3}
            """;
}
