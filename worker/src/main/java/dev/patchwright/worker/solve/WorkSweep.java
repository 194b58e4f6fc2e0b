package dev.patchwright.worker.solve;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * Removes what jobs left on disk: job directories that no job of this process holds (a worker that
 * crashed or was killed never closed them) and dependency caches no job has used for
 * {@link SolveSettings#cacheIdle()}. Run at start-up and then periodically by the job runner.
 */
public final class WorkSweep {

    private static final Logger LOG = Logger.getLogger(WorkSweep.class);

    private final SolveSettings settings;

    public WorkSweep(SolveSettings settings) {
        this.settings = settings;
    }

    /**
     * Removes stale job directories and idle caches.
     *
     * @param jobAge a job directory not held by this process is removed once it is this old (zero at
     *               start-up, when no job of this work directory can be running; otherwise longer than
     *               any job takes, in case another process shares the directory)
     * @return what was removed, as paths
     */
    public List<Path> sweep(Duration jobAge) {
        List<Path> removed = new ArrayList<>();
        Instant now = Instant.now();
        for (Path dir : children(settings.workRoot(), "job-*")) {
            if (!Workspace.LIVE.contains(dir) && olderThan(dir, now.minus(jobAge))) {
                remove(dir, "a job directory left by a job that did not end here", removed);
            }
        }
        for (Path cache : children(settings.cacheRoot().resolve("repos"), "*")) {
            if (olderThan(cache, now.minus(settings.cacheIdle()))) {
                remove(cache, "a dependency cache unused for " + settings.cacheIdle().toDays() + " days", removed);
            }
        }
        return removed;
    }

    private static List<Path> children(Path dir, String glob) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, glob)) {
            entries.forEach(found::add);
        } catch (IOException e) {
            LOG.warnf("cannot list %s for the sweep: %s", dir, e.getMessage());
        }
        return found;
    }

    private static boolean olderThan(Path dir, Instant limit) {
        try {
            return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    && Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(limit);
        } catch (IOException e) {
            return false;
        }
    }

    private static void remove(Path dir, String what, List<Path> removed) {
        try {
            Workspace.deleteTree(dir);
            removed.add(dir);
            LOG.infof("removed %s: %s", what, dir);
        } catch (IOException e) {
            LOG.warnf("cannot remove %s %s: %s", what, dir, e.getMessage());
        }
    }
}
