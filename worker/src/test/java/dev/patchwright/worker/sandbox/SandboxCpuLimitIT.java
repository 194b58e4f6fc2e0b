package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CPU limit of a run, on this machine's real cgroups (v1 here) and the real bwrap. */
class SandboxCpuLimitIT {

    /** Two processes that each spin for three seconds of wall time, then the CPU seconds they used. */
    private static final String TWO_SPINNERS = """
            python3 -c '
            import os, time
            pids = []
            for i in range(2):
                pid = os.fork()
                if pid == 0:
                    end = time.time() + 3
                    while time.time() < end:
                        pass
                    os._exit(0)
                pids.append(pid)
            for pid in pids:
                os.waitpid(pid, 0)
            t = os.times()
            print(t.children_user + t.children_system)
            '""";

    @Test
    void aRunsCgroupCarriesTheQuota() throws Exception {
        CgroupHierarchy hierarchy = CgroupHierarchy.detect().hierarchy().orElseThrow();
        assertThat(hierarchy.limitsCpu()).as("this machine has a cpu controller").isTrue();
        String name = "patchwright-cpu-test-" + ProcessHandle.current().pid();

        RunCgroup run = hierarchy.create(name, 64L << 20, 16, 0.5);
        try {
            Path cpu = run.procsFiles().stream().map(Path::getParent)
                    .filter(dir -> Files.exists(dir.resolve("cpu.cfs_quota_us")) || Files.exists(dir.resolve("cpu.max")))
                    .findFirst().orElseThrow();
            if (Files.exists(cpu.resolve("cpu.max"))) {
                assertThat(Files.readString(cpu.resolve("cpu.max")).strip()).isEqualTo("50000 100000");
            } else {
                assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).strip()).isEqualTo("50000");
                assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).strip()).isEqualTo("100000");
            }
        } finally {
            assertThat(run.remove()).isTrue();
        }
    }

    @Test
    void busyProcessesGetNoMoreThanTheirShareOfTheWallClock(@TempDir Path work) throws Exception {
        BubblewrapSandbox quarterOfACpu = BubblewrapSandbox.builder().cpus(0.25).build();

        SandboxResult result = quarterOfACpu.run(SandboxSpec.of(TWO_SPINNERS, work));

        assertThat(result.succeeded()).as(result.output()).isTrue();
        double cpuSeconds = Double.parseDouble(result.output().strip());
        // 0.75 s is the quota; unlimited, two spinners on this 2-core machine took 6.2 CPU seconds in their 3 s.
        assertThat(cpuSeconds).as("CPU seconds in 3 s of wall time at 0.25 CPUs").isBetween(0.3, 1.5);
    }

    @Test
    void aCpuCountBelowOneHundredthIsRefused() {
        assertThatThrownBy(() -> BubblewrapSandbox.builder().cpus(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpus must be a number of CPUs of at least 0.01, got 0.0");
    }
}
