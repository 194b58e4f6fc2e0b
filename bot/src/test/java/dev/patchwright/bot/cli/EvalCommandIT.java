package dev.patchwright.bot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.patchwright.inference.eval.hashhop.HashHopOracle;
import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code patchwright eval hashhop} end to end, against a loopback model server that follows the chains. */
class EvalCommandIT {

    @TempDir
    Path temp;

    private HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final Tokenizer o200k = Tokenizers.load("o200k_base");

    /**
     * The solver: answers with {@link HashHopOracle} (which reads the prompt's links and follows them), usage
     * counted with o200k_base as OpenAI counts chat tokens. The inference module tests the same over HTTP, with a
     * guessing server too; this copy only serves the command line.
     */
    @BeforeEach
    void startSolver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::solve);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void solve(HttpExchange exchange) throws IOException {
        try (exchange) {
            ObjectMapper json = new ObjectMapper();
            JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
            calls.incrementAndGet();
            String prompt = request.at("/messages/0/content").asText();
            String answer = HashHopOracle.answer(prompt);
            ObjectNode body = json.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion")
                    .put("created", 0).put("model", request.path("model").asText());
            body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop")
                    .putObject("message").put("role", "assistant").put("content", answer);
            body.putObject("usage").put("prompt_tokens", 6 + o200k.count(prompt))
                    .put("completion_tokens", o200k.count(answer));
            byte[] bytes = json.writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path prices() throws IOException {
        Path file = temp.resolve("prices.yaml");
        Files.writeString(file, "solver: {input: 2.00, cached-input: 0.50, output: 8.00}\n");
        return file;
    }

    @Test
    void runsTheGridAndWritesTheTableResultsAndCharts() throws Exception {
        Path out = temp.resolve("out");

        CliRun run = run("eval", "hashhop", "--model-url", url(), "--model", "solver", "--prices", prices().toString(),
                "--tokens", "2k,4k", "--hops", "1,2,4", "--variant", "direct,cot", "--queries", "5", "--seed", "1",
                "--budget", "5", "--out", out.toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(calls.get()).isEqualTo(12);
        assertThat(run.stdout()).contains("size", "hops", "variant", "accuracy", "spent", "5/5 100%", "4.00/4",
                "12 of 12 cells run").doesNotContain("failed", "skipped");
        assertThat(run.stderr()).contains("[hashhop] 4k hops=4 cot: done 5/5", "results.json");
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(results.at("/settings/model").asText()).isEqualTo("solver");
        assertThat(results.at("/settings/url").asText()).isEqualTo(url());
        assertThat(results.at("/settings/seed").asLong()).isEqualTo(1);
        assertThat(results.at("/settings/tokenizer").asText()).isEqualTo("o200k_base");
        assertThat(results.get("cells")).hasSize(12).allSatisfy(cell -> {
            assertThat(cell.get("status").asText()).isEqualTo("done");
            assertThat(cell.get("accuracy").asDouble()).isEqualTo(1.0);
            assertThat(cell.get("queries")).hasSize(5);
        });
        assertThat(results.at("/totals/spentMicroUsd").asLong()).isPositive().isLessThanOrEqualTo(5_000_000);
        for (String chart : List.of("heatmap-direct.png", "heatmap-cot.png", "depth.png")) {
            BufferedImage image = ImageIO.read(out.resolve(chart).toFile());
            assertThat(image).as(chart).isNotNull();
            assertThat(image.getWidth()).isGreaterThan(300);
        }
    }

    @Test
    void aBudgetTooSmallForEveryCellRunsWhatFitsAndSaysWhatItSkipped() throws Exception {
        Path out = temp.resolve("out");

        CliRun run = run("eval", "hashhop", "--model-url", url(), "--model", "unpriced", "--price", "input=2,output=8",
                "--tokens", "2k,8k", "--hops", "1,2", "--variant", "direct", "--queries", "5", "--budget", "$0.02",
                "--out", out.toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        long spent = results.at("/totals/spentMicroUsd").asLong();
        assertThat(spent).isPositive().isLessThanOrEqualTo(20_000);
        int ran = results.at("/totals/cellsRun").asInt();
        assertThat(ran).isBetween(1, 3);
        assertThat(calls.get()).isEqualTo(ran);
        assertThat(run.stdout()).contains("skipped-budget: budget: its worst case is $", ran + " of 4 cells run, "
                + (4 - ran) + " not run", "of $0.02");
    }

    @Test
    void refusesAModelWithoutAPriceNamingTheModelAndTheFile() throws Exception {
        Path priceFile = prices();

        CliRun unpriced = run("eval", "hashhop", "--model-url", url(), "--model", "gpt-9", "--prices", priceFile.toString(),
                "--tokens", "2k", "--budget", "1", "--out", temp.resolve("out").toString());
        CliRun noFile = run("eval", "hashhop", "--model-url", url(), "--model", "gpt-9", "--prices",
                temp.resolve("none.yaml").toString(), "--tokens", "2k", "--budget", "1");
        CliRun noBudget = run("eval", "hashhop", "--model-url", url(), "--model", "solver", "--prices", priceFile.toString(),
                "--tokens", "2k");
        CliRun badBudget = run("eval", "hashhop", "--model-url", url(), "--model", "solver", "--prices", priceFile.toString(),
                "--tokens", "2k", "--budget", "lots");

        assertThat(unpriced.exit()).isEqualTo(2);
        assertThat(unpriced.stderr()).contains("'gpt-9'", priceFile.toString(), "--price");
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.stderr()).contains("'gpt-9'", "none.yaml", "does not exist", "--price");
        assertThat(noBudget.exit()).isEqualTo(2);
        assertThat(noBudget.stderr()).contains("--budget is required");
        assertThat(badBudget.exit()).isEqualTo(2);
        assertThat(badBudget.stderr()).contains("'lots'");
        assertThat(calls.get()).as("no model call without a price and a budget").isZero();
        assertThat(run("eval", "hashhop", "--help").stdout()).contains("--price=input=D,output=D", "--prices", "--budget",
                "PATCHWRIGHT_MODEL_API_KEY");
    }

    @Test
    void generateWritesPromptsAndTargetsWithoutAModel() throws Exception {
        Path file = temp.resolve("tasks.jsonl");

        CliRun run = run("eval", "hashhop", "generate", "--tokens", "8k", "--hops", "2", "--variant", "cot",
                "--queries", "4", "--seed", "3", "--samples", "2", "--out", file.toString());
        CliRun again = run("eval", "hashhop", "generate", "--tokens", "8k", "--hops", "2", "--variant", "cot",
                "--queries", "4", "--seed", "3", "--samples", "2");
        CliRun both = run("eval", "hashhop", "generate", "--tokens", "8k", "--chars", "1000");

        assertThat(run.exit()).as(run.stderr()).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(again.stdout()).as("deterministic per seed").isEqualTo(String.join("\n", lines) + "\n");
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("hops").asInt()).isEqualTo(2);
        assertThat(first.get("variant").asText()).isEqualTo("cot");
        assertThat(first.get("tokens").asLong()).isBetween(7_840L, 8_160L);
        assertThat(o200k.count(first.get("prompt").asText())).isEqualTo(first.get("tokens").asInt());
        assertThat(first.get("completion").asText()).startsWith("COMPLETION:\nHops=2\n\nCoT=True\n\n");
        assertThat(first.get("queries")).hasSize(4).allSatisfy(q -> {
            assertThat(q.get("target").asText()).matches("[A-Za-z]{16} = [A-Za-z]{16}");
            assertThat(first.get("prompt").asText()).contains(q.get("query").asText() + " = ");
            assertThat(q.get("depth").asDouble()).isBetween(0.0, 1.0);
            assertThat(first.get("completion").asText()).contains(q.get("query").asText() + " = '"
                    + q.get("target").asText() + "'");
        });
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.stderr()).contains("mutually exclusive");
    }
}
