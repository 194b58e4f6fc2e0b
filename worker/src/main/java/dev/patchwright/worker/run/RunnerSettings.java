package dev.patchwright.worker.run;

import dev.patchwright.inference.money.Money;

import java.time.Duration;

/**
 * How this node runs jobs.
 *
 * @param workerId       this node's name in leases and events
 * @param concurrency    jobs run at once
 * @param lease          how long a claimed job stays this node's without a heartbeat; renewed every third of it
 * @param poll           how often an idle worker looks for work when nothing wakes it
 * @param sandboxCpuHour the price of one CPU-hour of sandboxed commands
 * @param modelCallLimit the longest one model call may take (held at a GPU-hour price)
 */
public record RunnerSettings(String workerId, int concurrency, Duration lease, Duration poll, Money sandboxCpuHour,
                             Duration modelCallLimit) {

    /** @throws IllegalArgumentException naming the setting out of range */
    public RunnerSettings {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        if (lease.toMillis() < 1000) {
            throw new IllegalArgumentException("the lease must be at least 1 s, was " + lease);
        }
        if (sandboxCpuHour.isNegative()) {
            throw new IllegalArgumentException("the sandbox CPU-hour price must not be negative, was " + sandboxCpuHour);
        }
    }
}
