package dev.patchwright.inference.eval.hashhop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.money.Budget;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HashHop end to end over HTTP, against a server that follows the chains and one that guesses. */
class HashHopEvalIT {

    private static final Price PRICE = Price.parse("input=2,cached-input=0.5,output=8");

    @TempDir
    Path temp;

    private final Tokenizer o200k = Tokenizers.load("o200k_base");

    private HashHopEval.Settings grid() {
        return new HashHopEval.Settings(List.of(TaskSize.parse("2k", o200k), TaskSize.parse("8k", o200k)),
                List.of(1, 2, 4), List.of(Variant.DIRECT, Variant.COT), 5, 1, 0, Duration.ofMinutes(1));
    }

    private EvalResults run(HashHopModelServer server, Budget budget, List<String> progress) {
        OpenAiCompatibleModel model = new OpenAiCompatibleModel(URI.create(server.baseUrl()), null, "hashhop-test",
                Duration.ofSeconds(30));
        return new HashHopEval(model, o200k, PRICE, budget, new HashHopGenerator()).run(grid(), progress::add);
    }

    @Test
    void aModelThatFollowsTheChainsScoresFullOnEveryCell() throws Exception {
        try (HashHopModelServer server = new HashHopModelServer(HashHopModelServer.Mode.SOLVER)) {
            Budget budget = new Budget(Money.parse("5"));
            EvalResults results = run(server, budget, new ArrayList<>());

            assertThat(results.cells()).hasSize(12).allSatisfy(cell -> {
                assertThat(cell.status()).isEqualTo(CellResult.Status.DONE);
                assertThat(cell.correct()).isEqualTo(5);
                assertThat(cell.chainsCorrect()).isEqualTo(5);
                if (cell.variant() == Variant.COT) {
                    assertThat(cell.meanHopsRight()).isEqualTo(cell.hops());
                }
                assertThat(cell.cost()).isEqualTo(PRICE.cost(cell.usage()));
                assertThat(cell.reserved().compareTo(cell.cost())).as("the reservation covers the call").isPositive();
            });
            assertThat(server.calls()).as("one call per cell, all queries in it").isEqualTo(12);
            assertThat(budget.spent()).isEqualTo(results.spent());
            assertThat(results.spent().isZero()).isFalse();

            HashHopReport.writeJson(results, Map.of("url", server.baseUrl()), temp.resolve("results.json"));
            JsonNode json = new ObjectMapper().readTree(temp.resolve("results.json").toFile());
            assertThat(json.at("/settings/url").asText()).isEqualTo(server.baseUrl());
            assertThat(json.at("/settings/seed").asLong()).isEqualTo(1);
            assertThat(json.at("/totals/cellsRun").asInt()).isEqualTo(12);
            assertThat(json.at("/totals/spentMicroUsd").asLong()).isEqualTo(results.spent().micros());
            JsonNode cot = json.at("/cells/11");
            assertThat(cot.get("variant").asText()).isEqualTo("cot");
            assertThat(cot.get("accuracy").asDouble()).isEqualTo(1.0);
            assertThat(cot.at("/queries/0/hopsRight").asInt()).isEqualTo(4);
            assertThat(cot.at("/queries/0/answer").asText()).isEqualTo(cot.at("/queries/0/target").asText());
            assertThat(cot.at("/queries/0/depth").asDouble()).isBetween(0.0, 0.2);

            String table = HashHopReport.table(results);
            assertThat(table).contains("5/5 100%", "4.00/4", "12 of 12 cells run", "spent " + results.spent()
                    + " of $5.00");

            List<Path> charts = HashHopCharts.write(results, temp);
            assertThat(charts).extracting(p -> p.getFileName().toString())
                    .containsExactly("heatmap-direct.png", "heatmap-cot.png", "depth.png");
            for (Path chart : charts) {
                BufferedImage image = ImageIO.read(chart.toFile());
                assertThat(image).as("%s decodes as an image", chart).isNotNull();
                assertThat(image.getWidth()).isGreaterThanOrEqualTo(300);
                assertThat(image.getHeight()).isGreaterThanOrEqualTo(200);
                assertThat(Files.size(chart)).isGreaterThan(2_000);
            }
            BufferedImage heatmap = ImageIO.read(charts.get(0).toFile());
            int full = heatmap.getRGB(90 + 5, 70 + 5) & 0xFFFFFF;
            assertThat(full).as("a cell at 100% is green").isEqualTo(0x5EBB6E);
        }
    }

    @Test
    void aModelThatGuessesScoresNothing() {
        try (HashHopModelServer server = new HashHopModelServer(HashHopModelServer.Mode.RANDOM)) {
            EvalResults results = run(server, new Budget(Money.parse("5")), new ArrayList<>());

            assertThat(results.cells()).hasSize(12).allSatisfy(cell -> {
                assertThat(cell.status()).isEqualTo(CellResult.Status.DONE);
                assertThat(cell.correct()).isZero();
                assertThat(cell.scores()).allSatisfy(q -> assertThat(q.answer()).as("an answer was read").isNotNull());
            });
            BufferedImage heatmap = HashHopCharts.heatmap(results, Variant.DIRECT);
            assertThat(heatmap.getRGB(90 + 5, 70 + 5) & 0xFFFFFF).as("a cell at 0% is red").isEqualTo(0xE86A5E);
        }
    }

    @Test
    void aSmallBudgetRunsSomeCellsAndNeverOverspends() {
        try (HashHopModelServer server = new HashHopModelServer(HashHopModelServer.Mode.SOLVER)) {
            // A 2k cell reserves about $0.006 and an 8k cell about $0.018 at these prices.
            Budget budget = new Budget(Money.parse("0.03"));
            List<String> progress = new ArrayList<>();
            EvalResults results = run(server, budget, progress);

            List<CellResult> run = results.done();
            List<CellResult> skipped = results.cells().stream()
                    .filter(c -> c.status() == CellResult.Status.SKIPPED_BUDGET).toList();
            assertThat(run).isNotEmpty();
            assertThat(skipped).isNotEmpty();
            assertThat(run.size() + skipped.size()).isEqualTo(12);
            assertThat(server.calls()).isEqualTo(run.size());
            assertThat(results.spent().exceeds(Money.parse("0.03"))).as("spent %s", results.spent()).isFalse();
            assertThat(budget.spent()).isEqualTo(results.spent());
            assertThat(skipped).allSatisfy(c -> assertThat(c.reason()).startsWith("budget: its worst case is $")
                    .contains("left"));
            assertThat(HashHopReport.table(results)).contains("skipped-budget: budget: its worst case is",
                    run.size() + " of 12 cells run, " + skipped.size() + " not run");
            assertThat(progress).anyMatch(line -> line.contains("skipped-budget"));
        }
    }
}
