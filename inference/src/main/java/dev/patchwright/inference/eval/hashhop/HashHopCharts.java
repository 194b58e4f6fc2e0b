package dev.patchwright.inference.eval.hashhop;

import dev.patchwright.inference.eval.chart.ChartCanvas.Plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

import static dev.patchwright.inference.eval.chart.ChartCanvas.INK;
import static dev.patchwright.inference.eval.chart.ChartCanvas.NOT_RUN;
import static dev.patchwright.inference.eval.chart.ChartCanvas.SERIES;
import static dev.patchwright.inference.eval.chart.ChartCanvas.axisNames;
import static dev.patchwright.inference.eval.chart.ChartCanvas.canvas;
import static dev.patchwright.inference.eval.chart.ChartCanvas.centre;
import static dev.patchwright.inference.eval.chart.ChartCanvas.legend;
import static dev.patchwright.inference.eval.chart.ChartCanvas.subtitleFont;
import static dev.patchwright.inference.eval.chart.ChartCanvas.textWidth;
import static dev.patchwright.inference.eval.chart.ChartCanvas.title;
import static dev.patchwright.inference.eval.chart.ChartCanvas.titleFont;
import static dev.patchwright.inference.eval.chart.ChartCanvas.valueAxis;
import static dev.patchwright.inference.eval.chart.ChartCanvas.vertical;

/**
 * PNG charts of a HashHop run, drawn on {@link dev.patchwright.inference.eval.chart.ChartCanvas}: per variant a heatmap of accuracy over
 * size × hops, with the numbers in the cells, and one bar chart of accuracy by the depth of the query's first link.
 */
public final class HashHopCharts {

    /** Depth bins of the depth chart, equal slices of 0..1. */
    public static final int DEPTH_BINS = 10;

    private HashHopCharts() {
    }

    /**
     * Writes {@code heatmap-<variant>.png} for each variant of the grid and {@code depth.png} into {@code dir}.
     *
     * @return the files written
     * @throws IOException when a file cannot be written
     */
    public static List<Path> write(EvalResults results, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        for (Variant variant : results.settings().variants()) {
            Path file = dir.resolve("heatmap-" + variant.label() + ".png");
            ImageIO.write(heatmap(results, variant), "png", file.toFile());
            written.add(file);
        }
        Path depth = dir.resolve("depth.png");
        ImageIO.write(depthChart(results), "png", depth.toFile());
        written.add(depth);
        return written;
    }

    static BufferedImage heatmap(EvalResults results, Variant variant) {
        List<TaskSize> sizes = results.settings().sizes();
        List<Integer> hops = results.settings().hops();
        int cellW = 120;
        int cellH = 70;
        int left = 90;
        int top = 70;
        String title = "HashHop accuracy, " + variantName(variant);
        String subtitle = "model " + results.model() + ", " + results.settings().queries()
                + " queries per cell, final hash exact";
        int width = Math.max(left + sizes.size() * cellW + 30, 24 + Math.max(
                textWidth(title, titleFont()), textWidth(subtitle, subtitleFont())));
        int height = top + hops.size() * cellH + 70;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        title(g, title, subtitle);
        for (int r = 0; r < hops.size(); r++) {
            for (int c = 0; c < sizes.size(); c++) {
                int x = left + c * cellW;
                int y = top + r * cellH;
                CellResult cell = find(results, sizes.get(c), hops.get(r), variant);
                boolean done = cell != null && cell.status() == CellResult.Status.DONE;
                g.setColor(done ? scale(cell.accuracy()) : NOT_RUN);
                g.fillRect(x, y, cellW, cellH);
                g.setColor(Color.WHITE);
                g.drawRect(x, y, cellW, cellH);
                g.setColor(INK);
                if (done) {
                    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
                    centre(g, String.format(Locale.ROOT, "%.0f%%", 100 * cell.accuracy()), x + cellW / 2, y + 32);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                    centre(g, cell.correct() + "/" + cell.scores().size(), x + cellW / 2, y + 52);
                } else {
                    g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
                    centre(g, cell == null ? "not run" : cell.status() == CellResult.Status.SKIPPED_BUDGET
                            ? "no budget" : "failed", x + cellW / 2, y + 40);
                }
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            centre(g, Integer.toString(hops.get(r)), left - 20, top + r * cellH + cellH / 2 + 5);
        }
        for (int c = 0; c < sizes.size(); c++) {
            centre(g, sizes.get(c).label(), left + c * cellW + cellW / 2, top + hops.size() * cellH + 20);
        }
        centre(g, "prompt size (" + sizes.get(0).unit() + ")", left + sizes.size() * cellW / 2,
                top + hops.size() * cellH + 45);
        vertical(g, "hops", 22, top + hops.size() * cellH / 2);
        g.dispose();
        return image;
    }

    static BufferedImage depthChart(EvalResults results) {
        List<Variant> variants = results.settings().variants();
        int[][] correct = new int[variants.size()][DEPTH_BINS];
        int[][] total = new int[variants.size()][DEPTH_BINS];
        for (CellResult cell : results.done()) {
            int v = variants.indexOf(cell.variant());
            for (QueryScore q : cell.scores()) {
                int bin = Math.min(DEPTH_BINS - 1, (int) (q.depth() * DEPTH_BINS));
                total[v][bin]++;
                correct[v][bin] += q.correct() ? 1 : 0;
            }
        }
        int left = 70;
        int top = 90;
        int plotW = 640;
        int plotH = 300;
        Plot plot = new Plot(left, top, plotW, plotH);
        BufferedImage image = plot.image();
        Graphics2D g = canvas(image);
        title(g, "HashHop accuracy by depth of the first link",
                "model " + results.model() + ", all sizes and hops run; above each bar: queries in the bin");
        valueAxis(g, plot, 100, 4, "%.0f%%");
        int binW = plotW / DEPTH_BINS;
        int barW = (binW - 10) / variants.size();
        for (int b = 0; b < DEPTH_BINS; b++) {
            for (int v = 0; v < variants.size(); v++) {
                int x = left + b * binW + 5 + v * barW;
                if (total[v][b] == 0) {
                    continue;
                }
                int h = (int) Math.round(plotH * correct[v][b] / (double) total[v][b]);
                g.setColor(SERIES[v % SERIES.length]);
                g.fillRect(x, top + plotH - h, barW - 2, Math.max(h, 1));
                g.setColor(INK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                centre(g, Integer.toString(total[v][b]), x + barW / 2, top + plotH - h - 4);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            centre(g, String.format(Locale.ROOT, "%.1f", b / (double) DEPTH_BINS), left + b * binW, top + plotH + 16);
        }
        centre(g, "1.0", left + plotW, top + plotH + 16);
        axisNames(g, plot, "depth of the chain's first link in the prompt (0 = top, 1 = end)", "accuracy (final hash)");
        legend(g, plot, variants.stream().map(HashHopCharts::variantName).toArray(String[]::new));
        g.dispose();
        return image;
    }

    private static CellResult find(EvalResults results, TaskSize size, int hops, Variant variant) {
        return results.cells().stream().filter(c -> c.size().equals(size) && c.hops() == hops && c.variant() == variant)
                .findFirst().orElse(null);
    }

    private static String variantName(Variant variant) {
        return variant == Variant.DIRECT ? "direct" : "chain of thought";
    }

    /** Red at 0, yellow at 0.5, green at 1. */
    private static Color scale(double accuracy) {
        double a = Math.max(0, Math.min(1, accuracy));
        Color low = new Color(0xE8, 0x6A, 0x5E);
        Color mid = new Color(0xF5, 0xD0, 0x5E);
        Color high = new Color(0x5E, 0xBB, 0x6E);
        return a < 0.5 ? mix(low, mid, a * 2) : mix(mid, high, (a - 0.5) * 2);
    }

    private static Color mix(Color a, Color b, double t) {
        return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }
}
