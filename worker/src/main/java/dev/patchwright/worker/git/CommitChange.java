package dev.patchwright.worker.git;

import org.eclipse.jgit.lib.ObjectId;

import java.time.Instant;
import java.util.List;

/**
 * One commit of a branch's history and the paths it changed against its only parent.
 *
 * @param commit  the commit
 * @param parent  its parent
 * @param time    when it was committed
 * @param message its whole message
 * @param paths   the paths it added, changed or deleted, in path order
 * @param deleted those of {@code paths} it deleted
 */
public record CommitChange(ObjectId commit, ObjectId parent, Instant time, String message, List<String> paths,
                           List<String> deleted) {

    public CommitChange {
        paths = List.copyOf(paths);
        deleted = List.copyOf(deleted);
    }

    /** The message's first line. */
    public String title() {
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}
