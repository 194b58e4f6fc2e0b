package dev.patchwright.inference.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwright.inference.eval.hashhop.CellResult;
import dev.patchwright.inference.eval.hashhop.EvalResults;
import dev.patchwright.inference.eval.hashhop.HashHopEval;
import dev.patchwright.inference.eval.hashhop.HashHopGenerator;
import dev.patchwright.inference.eval.hashhop.HashHopReport;
import dev.patchwright.inference.eval.hashhop.TaskSize;
import dev.patchwright.inference.eval.hashhop.Variant;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.RandomModel;
import dev.patchwright.inference.money.Budget;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HashHop end to end on Patchwright's own CPU engine, through its model server, billed per GPU-hour. */
class HashHopOnLocalEngineIT {

    @TempDir
    Path dir;

    @Test
    void aTinyRandomModelRunsTheGridWithinTheBudget() throws Exception {
        Price price = Price.parse("gpu-hour=2");
        Money limit = Money.parse("0.10");
        try (LocalModel model = LocalModel.open(RandomModel.tiny(11).write(dir.resolve("model")), "tiny", 1 << 24);
                ModelServer server = new ModelServer(model, "tiny", new InetSocketAddress("127.0.0.1", 0))) {
            OpenAiCompatibleModel client = new OpenAiCompatibleModel(server.baseUrl(), null, "tiny", Duration.ofSeconds(60));
            HashHopEval.Settings grid = new HashHopEval.Settings(
                    List.of(TaskSize.tokens(600, model.tokenizer()), TaskSize.tokens(1500, model.tokenizer())),
                    List.of(1, 2), List.of(Variant.DIRECT), 3, 1, 48, Duration.ofMinutes(1));
            Budget budget = new Budget(limit);
            List<String> progress = new ArrayList<>();

            EvalResults results = new HashHopEval(client, model.tokenizer(), price, budget, new HashHopGenerator())
                    .run(grid, progress::add);

            assertThat(results.cells()).hasSize(4).allSatisfy(cell -> {
                assertThat(cell.status()).as(cell.reason()).isEqualTo(CellResult.Status.DONE);
                assertThat(cell.scores()).hasSize(3);
                assertThat(cell.usage().promptTokens()).isGreaterThan(cell.size().amount() / 2);
                assertThat(cell.usage().completionTokens()).isBetween(1L, 48L);
                assertThat(cell.cost().isZero()).as("compute time is billed").isFalse();
                assertThat(cell.reserved().compareTo(cell.cost())).isGreaterThanOrEqualTo(0);
            });
            assertThat(results.spent().compareTo(limit)).isLessThanOrEqualTo(0);
            assertThat(budget.spent()).isEqualTo(results.spent());
            assertThat(HashHopReport.table(results)).contains("4 of 4 cells run");
        }
    }
}
