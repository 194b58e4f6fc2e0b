package dev.patchwright.worker.queue;

import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class JobQueueConcurrencyIT {

    // Fewer repositories than workers, and each repository's jobs enqueued together, so that
    // the oldest jobs are always in a repository that is already busy.
    private static final int REPOSITORIES = 3;
    private static final int JOBS_PER_REPOSITORY = 25;
    private static final int WORKERS = 4;

    @Test
    void concurrentWorkersNeverShareAJobAndNeverRunTwoJobsOfOneRepository() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        JobQueue queue = new JobQueue(dataSource);
        int total = REPOSITORIES * JOBS_PER_REPOSITORY;
        for (int repo = 0; repo < REPOSITORIES; repo++) {
            for (int issue = 1; issue <= JOBS_PER_REPOSITORY; issue++) {
                queue.enqueue(JobQueueIT.solve("org" + repo % 2 + "/repo" + repo, issue, repo % 2, null)).orElseThrow();
            }
        }

        Set<Long> claimed = ConcurrentHashMap.newKeySet();
        Set<String> busyRepositories = ConcurrentHashMap.newKeySet();
        List<String> violations = new ArrayList<>();
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Future<Integer>> results = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            String worker = "w" + w;
            results.add(pool.submit(() -> {
                start.await();
                int mine = 0;
                while (finished.get() < total) {
                    Optional<ClaimedJob> job = queue.claim(worker, Duration.ofMinutes(5));
                    if (job.isEmpty()) {
                        Thread.onSpinWait();
                        continue;
                    }
                    ClaimedJob held = job.get();
                    // The repository is added after the claim commits and removed before the
                    // job ends, so it is in the set exactly while the database says it runs.
                    if (!claimed.add(held.id())) {
                        synchronized (violations) {
                            violations.add(worker + " got job " + held.id() + " a second time");
                        }
                    }
                    if (!busyRepositories.add(held.repository())) {
                        synchronized (violations) {
                            violations.add(worker + " got a second running job in " + held.repository());
                        }
                    }
                    Thread.sleep(1);
                    busyRepositories.remove(held.repository());
                    queue.succeed(held.id(), worker, "done", null);
                    finished.incrementAndGet();
                    mine++;
                }
                return mine;
            }));
        }
        start.countDown();
        int sum = 0;
        for (Future<Integer> result : results) {
            sum += result.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();

        assertThat(violations).isEmpty();
        assertThat(sum).isEqualTo(total);
        assertThat(claimed).hasSize(total);
        assertThat(queue.recent(total)).extracting(JobView::status).containsOnly("succeeded");
        assertThat(queue.recent(total)).extracting(JobView::attempts).containsOnly(1);
    }
}
