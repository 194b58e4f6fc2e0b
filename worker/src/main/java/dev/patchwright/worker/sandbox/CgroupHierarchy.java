package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where per-run cgroups can be made: under the worker's own memory (and pids and cpu) cgroup of a
 * cgroup v1 hierarchy, or under its own cgroup v2 group when the memory controller is delegated
 * there. Found from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}.
 */
final class CgroupHierarchy {

    private final int version;
    /** v1: the memory hierarchy's parent directory; v2: the unified parent directory. */
    private final Path memoryParent;
    /** v1 only: the pids hierarchy's parent directory, or null without a pids controller. */
    private final Path pidsParent;
    /** v1 only: the cpu hierarchy's parent directory, or null without a cpu controller. */
    private final Path cpuParent;

    /** The CFS period every run gets, in microseconds (the kernel's default); the quota is a share of it. */
    static final long CPU_PERIOD_MICROS = 100_000;

    private CgroupHierarchy(int version, Path memoryParent, Path pidsParent, Path cpuParent) {
        this.version = version;
        this.memoryParent = memoryParent;
        this.pidsParent = pidsParent;
        this.cpuParent = cpuParent;
    }

    /** The outcome of {@link #detect}: a hierarchy, or why none can be used. */
    record Detection(Optional<CgroupHierarchy> hierarchy, String reason) {
    }

    /** Looks at this process's own cgroups. */
    static Detection detect() {
        try {
            return detect(Files.readAllLines(Path.of("/proc/self/mountinfo")),
                    Files.readAllLines(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            return new Detection(Optional.empty(), "cannot read /proc/self: " + e.getMessage());
        }
    }

    /** Chooses a hierarchy from the given mountinfo and cgroup lines; touches only the found dirs. */
    static Detection detect(List<String> mountinfo, List<String> procCgroup) {
        Path memoryV1 = v1Dir(mountinfo, procCgroup, "memory");
        if (memoryV1 != null && Files.isWritable(memoryV1)) {
            Path pidsV1 = writableOrNull(v1Dir(mountinfo, procCgroup, "pids"));
            Path cpuV1 = writableOrNull(v1Dir(mountinfo, procCgroup, "cpu"));
            return new Detection(Optional.of(new CgroupHierarchy(1, memoryV1, pidsV1, cpuV1)), "cgroup v1 at " + memoryV1);
        }
        Path unified = v2Dir(mountinfo, procCgroup);
        if (unified == null) {
            return new Detection(Optional.empty(), memoryV1 == null
                    ? "no cgroup v1 memory controller and no cgroup v2 mount found"
                    : memoryV1 + " is not writable (run the worker as root or delegate a cgroup to it)");
        }
        try {
            String controllers = Files.readString(unified.resolve("cgroup.controllers"));
            if (!words(controllers).contains("memory")) {
                return new Detection(Optional.empty(), "the memory controller is not available in " + unified);
            }
            List<String> available = words(controllers);
            List<String> subtree = words(Files.readString(unified.resolve("cgroup.subtree_control")));
            StringBuilder enable = new StringBuilder();
            for (String controller : List.of("memory", "pids", "cpu")) {
                if (available.contains(controller) && !subtree.contains(controller)) {
                    enable.append(enable.length() == 0 ? "+" : " +").append(controller);
                }
            }
            if (enable.length() > 0) {
                // Fails with EBUSY while this cgroup holds processes (the worker itself): the
                // operator must then start the worker in a delegated cgroup with a leaf for it.
                Files.writeString(unified.resolve("cgroup.subtree_control"), enable);
            }
            return new Detection(Optional.of(new CgroupHierarchy(2, unified, null, null)), "cgroup v2 at " + unified);
        } catch (IOException e) {
            return new Detection(Optional.empty(), "cannot enable the memory controller below " + unified
                    + " (" + e.getMessage() + "); run the worker in a delegated cgroup, e.g."
                    + " systemd-run --scope -p Delegate=yes, with the worker in a leaf group");
        }
    }

    private static Path writableOrNull(Path dir) {
        return dir != null && Files.isWritable(dir) ? dir : null;
    }

    private static Path v1Dir(List<String> mountinfo, List<String> procCgroup, String controller) {
        for (String line : mountinfo) {
            Mount m = Mount.parse(line);
            if (m != null && m.fsType.equals("cgroup") && List.of(m.superOptions.split(",")).contains(controller)) {
                String own = ownPath(procCgroup, controller);
                return own == null ? null : m.resolve(own);
            }
        }
        return null;
    }

    private static Path v2Dir(List<String> mountinfo, List<String> procCgroup) {
        for (String line : mountinfo) {
            Mount m = Mount.parse(line);
            if (m != null && m.fsType.equals("cgroup2")) {
                String own = ownPath(procCgroup, null);
                return own == null ? null : m.resolve(own);
            }
        }
        return null;
    }

    /** The path of this process in the hierarchy with {@code controller} (null: the v2 "0::" line). */
    private static String ownPath(List<String> procCgroup, String controller) {
        for (String line : procCgroup) {
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            boolean match = controller == null ? parts[0].equals("0") && parts[1].isEmpty()
                    : List.of(parts[1].split(",")).contains(controller);
            if (match) {
                return parts[2];
            }
        }
        return null;
    }

    private record Mount(String root, Path mountPoint, String fsType, String superOptions) {
        static Mount parse(String line) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                return null;
            }
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (left.length < 5 || right.length < 3) {
                return null;
            }
            return new Mount(left[3], Path.of(left[4].replace("\\040", " ")), right[0], right[2]);
        }

        /** The directory of cgroup {@code path}, seen through this mount (which may show a subtree). */
        Path resolve(String path) {
            String relative = path;
            if (!root.equals("/") && (path.equals(root) || path.startsWith(root + "/"))) {
                relative = path.substring(root.length());
            }
            relative = relative.replaceFirst("^/+", "");
            return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
        }
    }

    /** Whether runs get a CPU limit: a cpu controller where their cgroups are made. */
    boolean limitsCpu() {
        if (version == 1) {
            return cpuParent != null;
        }
        try {
            return words(Files.readString(memoryParent.resolve("cgroup.subtree_control"))).contains("cpu");
        } catch (IOException e) {
            return false;
        }
    }

    /** The space-separated words of a cgroup file such as {@code cgroup.controllers}. */
    private static List<String> words(String text) {
        return List.of(text.trim().split("\\s+"));
    }

    /** "cgroup v1" or "cgroup v2". */
    String describe() {
        return "cgroup v" + version + " under " + memoryParent;
    }

    /**
     * Makes the cgroup(s) for one run and sets their limits.
     *
     * @param name      a directory name unique to this run
     * @param memoryMax bytes of memory for the whole tree; swap is not allowed on top of it
     * @param pidsMax   processes and threads for the whole tree, 0 for no limit
     * @param cpus      CPU time for the whole tree, in CPUs (1.5: one and a half cores' worth per
     *                  period), 0 for no limit; ignored without a cpu controller
     * @throws IOException when a directory or a limit cannot be written; nothing is left behind
     */
    RunCgroup create(String name, long memoryMax, int pidsMax, double cpus) throws IOException {
        // The kernel refuses a quota under 1 ms per period.
        long quota = cpus > 0 ? Math.max(1_000, Math.round(cpus * CPU_PERIOD_MICROS)) : -1;
        List<Path> dirs = new ArrayList<>();
        RunCgroup run = new RunCgroup(version, dirs);
        try {
            Path memory = Files.createDirectory(memoryParent.resolve(name));
            dirs.add(memory);
            if (version == 1) {
                Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryMax));
                writeIfPresent(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryMax));
                if (pidsParent != null && pidsMax > 0) {
                    Path pids = Files.createDirectory(pidsParent.resolve(name));
                    dirs.add(pids);
                    Files.writeString(pids.resolve("pids.max"), Integer.toString(pidsMax));
                }
                if (cpuParent != null && quota > 0) {
                    Path cpu = Files.createDirectory(cpuParent.resolve(name));
                    dirs.add(cpu);
                    Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
                    Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
                }
            } else {
                Files.writeString(memory.resolve("memory.max"), Long.toString(memoryMax));
                writeIfPresent(memory.resolve("memory.swap.max"), "0");
                if (pidsMax > 0 && Files.exists(memory.resolve("pids.max"))) {
                    Files.writeString(memory.resolve("pids.max"), Integer.toString(pidsMax));
                }
                if (quota > 0 && Files.exists(memory.resolve("cpu.max"))) {
                    Files.writeString(memory.resolve("cpu.max"), quota + " " + CPU_PERIOD_MICROS);
                }
            }
            return run;
        } catch (IOException | RuntimeException e) {
            run.remove();
            throw e;
        }
    }

    private static void writeIfPresent(Path file, String value) {
        if (Files.exists(file)) {
            try {
                Files.writeString(file, value);
            } catch (IOException e) {
                // Swap accounting is optional; without it the memory limit still holds for RAM.
            }
        }
    }
}
