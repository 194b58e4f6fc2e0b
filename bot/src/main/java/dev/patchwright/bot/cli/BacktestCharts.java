package dev.patchwright.bot.cli;

import dev.patchwright.inference.eval.chart.ChartCanvas;
import dev.patchwright.inference.eval.chart.ChartCanvas.Plot;
import dev.patchwright.inference.money.Money;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import static dev.patchwright.inference.eval.chart.ChartCanvas.INK;
import static dev.patchwright.inference.eval.chart.ChartCanvas.SERIES;
import static dev.patchwright.inference.eval.chart.ChartCanvas.axisNames;
import static dev.patchwright.inference.eval.chart.ChartCanvas.canvas;
import static dev.patchwright.inference.eval.chart.ChartCanvas.centre;
import static dev.patchwright.inference.eval.chart.ChartCanvas.legend;
import static dev.patchwright.inference.eval.chart.ChartCanvas.title;
import static dev.patchwright.inference.eval.chart.ChartCanvas.valueAxis;

/**
 * The backtest's PNG charts, drawn on {@link ChartCanvas} as the HashHop eval's are: the share of past fixes resolved
 * within each per-issue spend (what a lower {@code --budget-per-issue} would have kept), and how cost and time were
 * spread over the cases, resolved and unresolved apart.
 */
final class BacktestCharts {

    /** Bins of the two distributions, equal slices of 0 to the largest value. */
    static final int BINS = 10;

    private static final Plot PLOT = new Plot(70, 90, 640, 300);

    private BacktestCharts() {
    }

    /**
     * Writes {@code resolve-rate-by-spend.png}, {@code cost.png} and {@code time.png} into {@code dir}.
     *
     * @param perIssue the run's per-issue budget, the spend axis's end unless a case cost more
     * @return the files written
     */
    static List<Path> write(List<BacktestCommand.CaseResult> results, Money perIssue, Path dir) throws IOException {
        Path rate = dir.resolve("resolve-rate-by-spend.png");
        ImageIO.write(resolveRate(results, perIssue), "png", rate.toFile());
        Path cost = dir.resolve("cost.png");
        ImageIO.write(distribution(results, "Cost per past fix", "cost of the replay (dollars)",
                r -> r.costMicros() / 1e6, Math.max(perIssue.micros() / 1e6, 1e-6), "$%.2f"), "png", cost.toFile());
        Path time = dir.resolve("time.png");
        ImageIO.write(distribution(results, "Time per past fix", "wall-clock time of the replay (seconds)",
                r -> r.seconds(), 1, "%.0f s"), "png", time.toFile());
        return List.of(rate, cost, time);
    }

    /** A step line: at each spend, the share of all cases resolved for at most that much. */
    static BufferedImage resolveRate(List<BacktestCommand.CaseResult> results, Money perIssue) {
        double max = Math.max(perIssue.micros(), results.stream().mapToLong(BacktestCommand.CaseResult::costMicros)
                .max().orElse(0)) / 1e6;
        max = max > 0 ? max : 1;
        List<Double> resolvedCosts = results.stream().filter(BacktestCommand.CaseResult::resolved)
                .map(r -> r.costMicros() / 1e6).sorted().toList();
        BufferedImage image = PLOT.image();
        Graphics2D g = canvas(image);
        title(g, "Past fixes resolved within a per-issue spend", String.format(Locale.ROOT,
                "%d of %d resolved in all; a point is a resolved case at what it cost", resolvedCosts.size(),
                results.size()));
        valueAxis(g, PLOT, 100, 4, "%.0f%%");
        spendTicks(g, max);
        g.setColor(SERIES[0]);
        g.setStroke(new BasicStroke(2.5f));
        int x = PLOT.left();
        int y = PLOT.bottom();
        for (int i = 0; i < resolvedCosts.size(); i++) {
            int nextX = PLOT.x(resolvedCosts.get(i), max);
            int nextY = PLOT.y(100.0 * (i + 1) / results.size(), 100);
            g.drawLine(x, y, nextX, y);
            g.drawLine(nextX, y, nextX, nextY);
            g.fillOval(nextX - 4, nextY - 4, 8, 8);
            x = nextX;
            y = nextY;
        }
        g.drawLine(x, y, PLOT.left() + PLOT.width(), y);
        g.setStroke(new BasicStroke(1f));
        axisNames(g, PLOT, "spend per issue (dollars)", "past fixes resolved");
        g.dispose();
        return image;
    }

    /** A histogram of {@code value} over the cases, resolved and unresolved side by side in each bin. */
    static BufferedImage distribution(List<BacktestCommand.CaseResult> results, String name, String axis,
                                      ToDoubleFunction<BacktestCommand.CaseResult> value, double atLeast,
                                      String format) {
        double max = Math.max(atLeast, results.stream().mapToDouble(value).max().orElse(0));
        int[][] counts = new int[2][BINS];
        for (BacktestCommand.CaseResult r : results) {
            int bin = Math.min(BINS - 1, (int) (value.applyAsDouble(r) / max * BINS));
            counts[r.resolved() ? 0 : 1][bin]++;
        }
        int most = 1;
        for (int[] series : counts) {
            for (int c : series) {
                most = Math.max(most, c);
            }
        }
        int top = most <= 4 ? 4 : (most + 3) / 4 * 4;
        BufferedImage image = PLOT.image();
        Graphics2D g = canvas(image);
        title(g, name, results.size() + " cases; above each bar: how many");
        valueAxis(g, PLOT, top, 4, "%.0f");
        int binW = PLOT.width() / BINS;
        int barW = (binW - 10) / 2;
        for (int b = 0; b < BINS; b++) {
            for (int s = 0; s < 2; s++) {
                if (counts[s][b] == 0) {
                    continue;
                }
                int bx = PLOT.left() + b * binW + 5 + s * barW;
                int by = PLOT.y(counts[s][b], top);
                g.setColor(SERIES[s]);
                g.fillRect(bx, by, barW - 2, Math.max(PLOT.bottom() - by, 1));
                g.setColor(INK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                centre(g, Integer.toString(counts[s][b]), bx + barW / 2, by - 4);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int b = 0; b <= BINS; b += 2) {
            centre(g, String.format(Locale.ROOT, format, max * b / BINS), PLOT.left() + b * binW, PLOT.bottom() + 16);
        }
        axisNames(g, PLOT, axis, "cases");
        legend(g, PLOT, "resolved", "unresolved");
        g.dispose();
        return image;
    }

    private static void spendTicks(Graphics2D g, double max) {
        g.setColor(INK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 5; i++) {
            centre(g, String.format(Locale.ROOT, max < 0.1 ? "$%.3f" : "$%.2f", max * i / 5), PLOT.x(max * i / 5, max),
                    PLOT.bottom() + 16);
        }
    }
}
