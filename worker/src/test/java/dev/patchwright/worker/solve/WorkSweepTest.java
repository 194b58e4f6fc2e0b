package dev.patchwright.worker.solve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkSweepTest {

    @TempDir
    Path temp;

    @Test
    void whatACrashedWorkerLeftAndCachesUnusedForLongAreRemovedWhileLiveJobsAndFreshCachesStay() throws Exception {
        SolveSettings settings = SolveSettings.defaults(temp.resolve("work-dir")).withCacheIdle(Duration.ofDays(7));
        Workspace workspace = new Workspace(settings, null);
        // A job that was running when its worker was killed: never closed, held by no one now.
        Path crashed = Files.createDirectories(settings.workRoot().resolve("job-4711/candidate-2"));
        Files.writeString(crashed.resolve("big.bin"), "x".repeat(10_000));
        try (Workspace.Job live = workspace.open("acme/app")) {
            Workspace.Job stale = workspace.open("acme/old");
            Path staleCache = stale.cache();
            stale.close();
            Files.setLastModifiedTime(staleCache, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
            Files.writeString(staleCache.resolve("dep.jar"), "jar");
            Files.setLastModifiedTime(staleCache, FileTime.from(Instant.now().minus(Duration.ofDays(8))));

            var removed = new WorkSweep(settings).sweep(Duration.ZERO);

            assertThat(removed).containsExactlyInAnyOrder(crashed.getParent(), staleCache);
            assertThat(crashed.getParent()).doesNotExist();
            assertThat(staleCache).doesNotExist();
            assertThat(live.dir("base").getParent()).as("a job of this process").isDirectory();
            assertThat(live.cache()).as("a cache a job used just now").isDirectory();
        }

        Files.createDirectories(settings.workRoot().resolve("job-recent"));
        assertThat(new WorkSweep(settings).sweep(Duration.ofDays(1))).as("the periodic sweep spares recent ones")
                .isEmpty();
    }
}
