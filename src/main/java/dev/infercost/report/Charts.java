package dev.infercost.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** JFreeChart charts rendered headless to PNG and embedded as base64 {@code <img>} data URIs. */
final class Charts {
    static final int W = 1200, H = 440;
    private Charts() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Grouped bars: data.get(series).get(category) = value. */
    static String bars(String title, String categoryAxis, String valueAxis, Map<String, Map<String, Double>> data, boolean horizontal, String alt) {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (var s : data.entrySet())
            for (var c : s.getValue().entrySet())
                if (c.getValue() != null && !c.getValue().isNaN()) ds.addValue(c.getValue(), s.getKey(), c.getKey());
        JFreeChart ch = ChartFactory.createBarChart(title, categoryAxis, valueAxis, ds,
                horizontal ? PlotOrientation.HORIZONTAL : PlotOrientation.VERTICAL, true, false, false);
        style(ch);
        CategoryPlot p = ch.getCategoryPlot();
        p.setRangeZeroBaselineVisible(true);
        logIfWide(ds, p, valueAxis);
        int h = horizontal ? Math.max(H, 90 + 40 * ds.getColumnCount() * Math.max(1, ds.getRowCount()) / 2) : H;
        return img(ch, W, h, alt);
    }

    /** Lines through points: data.get(series) = list of {x, y}; series in {@code dashed} are drawn dashed. */
    static String lines(String title, String xAxis, String yAxis, Map<String, List<double[]>> data, Set<String> dashed,
                        Double xMarker, String markerLabel, String alt) {
        XYSeriesCollection ds = new XYSeriesCollection();
        Map<String, Integer> idx = new LinkedHashMap<>();
        for (var e : data.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), true, true);
            for (double[] pt : e.getValue()) if (!Double.isNaN(pt[0]) && !Double.isNaN(pt[1])) s.add(pt[0], pt[1]);
            if (s.getItemCount() == 0) continue;
            idx.put(e.getKey(), ds.getSeriesCount());
            ds.addSeries(s);
        }
        JFreeChart ch = ChartFactory.createXYLineChart(title, xAxis, yAxis, ds, PlotOrientation.VERTICAL, true, false, false);
        style(ch);
        XYPlot p = ch.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < 40; i++) r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        for (var e : idx.entrySet()) {
            boolean d = dashed != null && dashed.contains(e.getKey());
            r.setSeriesStroke(e.getValue(), d ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{8f, 6f}, 0f)
                    : new BasicStroke(2.2f));
        }
        p.setRenderer(r);
        if (xMarker != null && !xMarker.isNaN()) {
            ValueMarker m = new ValueMarker(xMarker, Color.DARK_GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{4f, 4f}, 0f));
            m.setLabel(markerLabel);
            m.setLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
            m.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
            p.addDomainMarker(m);
        }
        p.addRangeMarker(new ValueMarker(0, Color.GRAY, new BasicStroke(1f)));
        return img(ch, W, H, alt);
    }

    /** Positive values spanning more than 50x: a log axis, so small machines stay visible next to big ones. */
    private static void logIfWide(DefaultCategoryDataset ds, CategoryPlot p, String label) {
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (int r = 0; r < ds.getRowCount(); r++)
            for (int c = 0; c < ds.getColumnCount(); c++) {
                Number v = ds.getValue(r, c);
                if (v == null) continue;
                double d = v.doubleValue();
                if (d <= 0) return;
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
        if (max == 0 || max / min <= 50) return;
        org.jfree.chart.axis.LogAxis axis = new org.jfree.chart.axis.LogAxis(label + " (log scale)");
        axis.setBase(10);
        axis.setSmallestValue(min / 2);
        axis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#######"));
        axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0));   // one tick per decade (the unit is log10)
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        p.setRangeAxis(axis);
        ((org.jfree.chart.renderer.category.BarRenderer) p.getRenderer()).setBase(min / 2);
    }

    /** Tableau 10: distinguishable on white, including the 3rd/4th series (JFreeChart's default yellow is not). */
    static final Color[] PALETTE = {new Color(0x4E79A7), new Color(0xF28E2B), new Color(0x59A14F), new Color(0xE15759), new Color(0x76B7B2),
            new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)};

    private static void style(JFreeChart ch) {
        ch.setBackgroundPaint(Color.WHITE);
        if (ch.getPlot() instanceof CategoryPlot cp) {
            org.jfree.chart.renderer.category.BarRenderer br = (org.jfree.chart.renderer.category.BarRenderer) cp.getRenderer();
            br.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
            br.setShadowVisible(false);
            for (int i = 0; i < 40; i++) br.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        ch.getPlot().setBackgroundPaint(new Color(0xF7F7F7));
        if (ch.getTitle() != null) ch.getTitle().setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 15));
    }

    static String img(JFreeChart ch, int w, int h, String alt) {
        BufferedImage im = ch.createBufferedImage(w, h);
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try {
            ImageIO.write(im, "png", bo);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "<img class=\"chart\" width=\"" + w + "\" height=\"" + h + "\" alt=\"" + Html.esc(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(bo.toByteArray()) + "\">\n";
    }
}
