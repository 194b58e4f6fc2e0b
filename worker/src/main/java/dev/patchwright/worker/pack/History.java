package dev.patchwright.worker.pack;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/** What recent commits touched: a hint of what a task is likely about. */
final class History {

    private History() {
    }

    /** Paths changed by the first-parent chain of the last {@code commits} commits up to {@code head}, newest first. */
    static List<String> recentlyChanged(Repository repository, ObjectId head, int commits) throws IOException {
        Set<String> paths = new LinkedHashSet<>();
        try (RevWalk walk = new RevWalk(repository);
             DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            diff.setRepository(repository);
            RevCommit commit = walk.parseCommit(head);
            for (int i = 0; i < commits && commit != null; i++) {
                RevCommit parent = commit.getParentCount() > 0 ? walk.parseCommit(commit.getParent(0)) : null;
                for (DiffEntry entry : diff.scan(parent == null ? null : parent.getTree(), commit.getTree())) {
                    if (entry.getChangeType() != DiffEntry.ChangeType.DELETE) {
                        paths.add(entry.getNewPath());
                    }
                }
                commit = parent;
            }
        }
        return new ArrayList<>(paths);
    }
}
