package dev.patchwright.bot.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.patchwright.bot.e2e.EndToEndResources.github;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path with {@code patchwright.model.url=local:<folder>}: the built bot runs a tiny random model on its
 * own CPU engine. The model writes garbage, so no candidate passes, and the bot says so on the issue.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = LocalModelResources.class, restrictToAnnotatedClass = true)
class LocalModelEndToEndIT {

    @Test
    void aLocalRandomModelYieldsNoFixAndTheBotSaysSoCleanly() throws Exception {
        EndToEndIT.repo("acme", "local", Map.of("calc.py", EndToEndIT.CALC_BUGGY, "test_calc.py", EndToEndIT.TESTS,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\nrounds: 2\n"), "Bug");
        EndToEndIT.issue("acme", "local", 1, "add() subtracts", "Fix add.", "maintainer");
        github.setPermission("acme", "local", "maintainer", "write");

        long started = System.nanoTime();
        EndToEndIT.deliver("issues", UUID.randomUUID().toString(),
                EndToEndIT.labeled("acme", "local", 1, "patchwright", "maintainer")).then().statusCode(202);
        Map<String, Object> job = EndToEndIT.awaitJob("acme/local", 1);
        System.out.printf("local-model job finished in %.1f s%n", (System.nanoTime() - started) / 1e9);

        assertThat(job.get("status")).isEqualTo("failed");
        assertThat(github.pullRequests("acme", "local")).isEmpty();
        List<Map<String, Object>> candidates = EndToEndIT.candidates((Long) job.get("id"));
        assertThat(candidates).hasSize(2).allSatisfy(c -> {
            assertThat(c.get("status")).isEqualTo("rejected");
            assertThat((String) c.get("reason")).contains("no usable edits");
        });
        List<Map<String, Object>> ledger = EndToEndIT.ledger((Long) job.get("id"));
        assertThat(ledger).filteredOn(e -> "local-engine".equals(e.get("kind"))).hasSize(2)
                .allSatisfy(e -> assertThat((String) e.get("price")).contains("$2.50/GPU-hour"))
                .allSatisfy(e -> assertThat((Long) e.get("compute_millis")).isPositive());
        assertThat(github.comments("acme", "local", 1)).singleElement()
                .satisfies(c -> assertThat((String) c.get("body")).contains("could not produce a verified fix")
                        .contains("no usable edits").contains("No pull request was opened")
                        .doesNotContain("Exception"));
    }
}
