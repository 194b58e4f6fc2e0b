package dev.patchwright.inference.eval.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * What every PNG chart of the evals is drawn with: java.awt in headless mode, one palette, one title style, text
 * centred or turned on its side, and a plot area with a percentage or value axis. The HashHop and backtest charts
 * draw on it; no chart library.
 */
public final class ChartCanvas {

    public static final Color INK = new Color(0x22, 0x22, 0x22);
    public static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    public static final Color NOT_RUN = new Color(0xE4, 0xE4, 0xE4);
    /** Series colours in order: blue, orange, green. */
    public static final Color[] SERIES = {new Color(0x2B, 0x6C, 0xB0), new Color(0xE0, 0x7B, 0x1F),
            new Color(0x5E, 0xBB, 0x6E)};

    static {
        // Charts are drawn on servers and in tests without a display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ChartCanvas() {
    }

    /**
     * A plot area in an image: where the axes go, in pixels.
     *
     * @param left   x of the vertical axis
     * @param top    y of the plot's top edge
     * @param width  the plot's width
     * @param height the plot's height
     */
    public record Plot(int left, int top, int width, int height) {
        /** The image a plot of this size needs, with room for the title above and the axis labels around it. */
        public BufferedImage image() {
            return new BufferedImage(left + width + 30, top + height + 80, BufferedImage.TYPE_INT_RGB);
        }

        /** The y of {@code value} on an axis from 0 to {@code max}. */
        public int y(double value, double max) {
            return top + height - (int) Math.round(height * Math.min(1, Math.max(0, value / max)));
        }

        /** The x of {@code value} on an axis from 0 to {@code max}. */
        public int x(double value, double max) {
            return left + (int) Math.round(width * Math.min(1, Math.max(0, value / max)));
        }

        public int bottom() {
            return top + height;
        }
    }

    /** A white canvas over {@code image}, antialiased, with ink as the colour. Dispose it when done. */
    public static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(INK);
        return g;
    }

    /** The chart's title and, below it, a line that says what was measured. */
    public static void title(Graphics2D g, String title, String subtitle) {
        g.setColor(INK);
        g.setFont(titleFont());
        g.drawString(title, 12, 24);
        g.setFont(subtitleFont());
        g.drawString(subtitle, 12, 44);
    }

    public static Font titleFont() {
        return new Font(Font.SANS_SERIF, Font.BOLD, 15);
    }

    public static Font subtitleFont() {
        return new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    }

    /**
     * Horizontal grid lines with their labels at {@code steps + 1} even values from 0 to {@code max}, and the x axis.
     *
     * @param format how a value is written, e.g. {@code "%.0f%%"}
     */
    public static void valueAxis(Graphics2D g, Plot plot, double max, int steps, String format) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= steps; i++) {
            double value = max * i / steps;
            int y = plot.y(value, max);
            g.setColor(GRID);
            g.drawLine(plot.left(), y, plot.left() + plot.width(), y);
            g.setColor(INK);
            String label = String.format(Locale.ROOT, format, value);
            g.drawString(label, plot.left() - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(plot.left(), plot.bottom(), plot.left() + plot.width(), plot.bottom());
        g.setStroke(new BasicStroke(1f));
    }

    /** The axes' names: under the x axis, and on its side left of the y axis. */
    public static void axisNames(Graphics2D g, Plot plot, String x, String y) {
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        centre(g, x, plot.left() + plot.width() / 2, plot.bottom() + 40);
        vertical(g, y, 18, plot.top() + plot.height() / 2);
    }

    /** A legend right-aligned above the plot: a colour box and a name per series. */
    public static void legend(Graphics2D g, Plot plot, String... names) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int x = plot.left() + plot.width();
        for (int v = names.length - 1; v >= 0; v--) {
            x -= g.getFontMetrics().stringWidth(names[v]) + 16;
            g.setColor(SERIES[v % SERIES.length]);
            g.fillRect(x, plot.top() - 22, 12, 12);
            g.setColor(INK);
            g.drawString(names[v], x + 16, plot.top() - 12);
            x -= 16;
        }
    }

    /** How wide {@code text} is in {@code font}. */
    public static int textWidth(String text, Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(font).stringWidth(text);
        } finally {
            g.dispose();
        }
    }

    /** Draws {@code text} centred on {@code x}. */
    public static void centre(Graphics2D g, String text, int x, int baseline) {
        FontMetrics m = g.getFontMetrics();
        g.drawString(text, x - m.stringWidth(text) / 2, baseline);
    }

    /** Draws {@code text} turned a quarter left, centred on ({@code x}, {@code y}). */
    public static void vertical(Graphics2D g, String text, int x, int y) {
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x, y);
        centre(g, text, x, y);
        g.setTransform(saved);
    }
}
