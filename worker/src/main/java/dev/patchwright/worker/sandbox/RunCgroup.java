package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The cgroup directories of one sandbox run: join, read the OOM verdict, kill, remove. */
final class RunCgroup {

    private final int version;
    private final List<Path> dirs;

    RunCgroup(int version, List<Path> dirs) {
        this.version = version;
        this.dirs = dirs;
    }

    /** The {@code cgroup.procs} files a process writes its pid to, to join every controller. */
    List<Path> procsFiles() {
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            files.add(dir.resolve("cgroup.procs"));
        }
        return files;
    }

    /** True when the kernel's OOM killer killed a process of this group. */
    boolean memoryLimitHit() {
        if (dirs.isEmpty()) {
            return false;
        }
        Path memory = dirs.get(0);
        if (version == 2) {
            return counter(memory.resolve("memory.events"), "oom_kill") > 0;
        }
        long oomKills = counter(memory.resolve("memory.oom_control"), "oom_kill");
        if (oomKills >= 0) {
            return oomKills > 0;
        }
        // Kernels before 4.13 have no oom_kill counter; a failed charge is the best sign left.
        return counter(memory.resolve("memory.failcnt"), null) > 0;
    }

    /** Reads "key value" from a flat-keyed file, or the single number when key is null; -1 if absent. */
    private static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+");
                if (key == null && parts.length == 1) {
                    return Long.parseLong(parts[0]);
                }
                if (key != null && parts.length == 2 && parts[0].equals(key)) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** SIGKILLs every process still in the group. */
    void killAll() {
        for (Path dir : dirs) {
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                try {
                    Files.writeString(kill, "1");
                    continue;
                } catch (IOException e) {
                    // Fall through to killing one by one.
                }
            }
            try {
                for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!pid.isBlank()) {
                        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // The group is gone or empty already.
            }
        }
    }

    /**
     * Kills what is left and removes the directories, retrying while the kernel finishes
     * reaping. Returns false when a directory is still there after about two seconds.
     */
    boolean remove() {
        boolean all = true;
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Path dir = dirs.get(i);
            boolean gone = false;
            for (int attempt = 0; attempt < 40 && !gone; attempt++) {
                killAll();
                try {
                    Files.deleteIfExists(dir);
                    gone = true;
                } catch (IOException e) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            all &= gone;
        }
        return all;
    }
}
