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

    private static void style(JFreeChart ch) {
        ch.setBackgroundPaint(Color.WHITE);
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
