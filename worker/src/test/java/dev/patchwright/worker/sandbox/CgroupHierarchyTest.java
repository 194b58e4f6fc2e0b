package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection and limit files, against directories laid out like cgroupfs. */
class CgroupHierarchyTest {

    @Test
    void prefersV1MemoryUnderTheProcessOwnGroup(@TempDir Path fs) throws Exception {
        Path memory = Files.createDirectories(fs.resolve("memory/pod/worker"));
        Path pids = Files.createDirectories(fs.resolve("pids"));
        Path cpu = Files.createDirectories(fs.resolve("cpu,cpuacct"));
        List<String> mountinfo = List.of(
                "31 30 0:28 / " + cpu + " rw,relatime - cgroup cgroup rw,cpu,cpuacct",
                "35 31 0:32 / " + fs.resolve("memory") + " rw,relatime - cgroup cgroup rw,memory",
                "39 31 0:36 / " + pids + " rw,relatime - cgroup cgroup rw,pids",
                "41 31 0:38 / " + fs.resolve("unified") + " rw,relatime - cgroup2 cgroup2 rw");
        List<String> cgroup = List.of("8:pids:/", "4:memory:/pod/worker", "2:cpu,cpuacct:/", "0::/");

        CgroupHierarchy.Detection detection = CgroupHierarchy.detect(mountinfo, cgroup);

        assertThat(detection.hierarchy()).isPresent();
        assertThat(detection.reason()).isEqualTo("cgroup v1 at " + memory);
        assertThat(detection.hierarchy().get().limitsCpu()).isTrue();
        RunCgroup run = detection.hierarchy().get().create("run-1", 200L << 20, 64, 1.5);
        assertThat(memory.resolve("run-1/memory.limit_in_bytes")).hasContent(Long.toString(200L << 20));
        assertThat(pids.resolve("run-1/pids.max")).hasContent("64");
        assertThat(cpu.resolve("run-1/cpu.cfs_period_us")).hasContent("100000");
        assertThat(cpu.resolve("run-1/cpu.cfs_quota_us")).hasContent("150000");
        assertThat(run.procsFiles()).containsExactly(memory.resolve("run-1/cgroup.procs"),
                pids.resolve("run-1/cgroup.procs"), cpu.resolve("run-1/cgroup.procs"));
        Files.writeString(memory.resolve("run-1/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        assertThat(run.memoryLimitHit()).isTrue();
    }

    @Test
    void mountShowingASubtreeIsResolvedRelativeToItsRoot(@TempDir Path fs) throws Exception {
        Path memory = Files.createDirectories(fs.resolve("memory/worker"));
        List<String> mountinfo = List.of("35 31 0:32 /kubepods/pod1 " + fs.resolve("memory")
                + " ro,nosuid - cgroup cgroup rw,memory");

        CgroupHierarchy.Detection detection = CgroupHierarchy.detect(mountinfo,
                List.of("4:memory:/kubepods/pod1/worker"));

        assertThat(detection.reason()).isEqualTo("cgroup v1 at " + memory);
    }

    @Test
    void v2EnablesTheMemoryControllerAndReadsOomKills(@TempDir Path fs) throws Exception {
        Path own = Files.createDirectories(fs.resolve("system.slice/patchwright.service"));
        Files.writeString(own.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "\n");
        List<String> mountinfo = List.of("30 23 0:26 / " + fs + " rw - cgroup2 cgroup2 rw,nsdelegate");

        CgroupHierarchy.Detection detection = CgroupHierarchy.detect(mountinfo,
                List.of("0::/system.slice/patchwright.service"));

        assertThat(detection.reason()).isEqualTo("cgroup v2 at " + own);
        assertThat(own.resolve("cgroup.subtree_control")).hasContent("+memory +pids +cpu");
        RunCgroup run = detection.hierarchy().get().create("run-2", 100L << 20, 32, 2);
        assertThat(own.resolve("run-2/memory.max")).hasContent(Long.toString(100L << 20));
        Files.writeString(own.resolve("run-2/memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n");
        assertThat(run.memoryLimitHit()).isFalse();
        Files.writeString(own.resolve("run-2/memory.events"), "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n");
        assertThat(run.memoryLimitHit()).isTrue();
    }

    @Test
    void noCgroupMountsMeansNoHierarchyAndSaysWhy() {
        CgroupHierarchy.Detection detection = CgroupHierarchy.detect(
                List.of("22 1 0:21 / /proc rw - proc proc rw"), List.of("0::/"));

        assertThat(detection.hierarchy()).isEmpty();
        assertThat(detection.reason()).isEqualTo("no cgroup v1 memory controller and no cgroup v2 mount found");
    }
}
