package dev.patchwright.worker.solve;

import java.util.List;
import java.util.Objects;

/**
 * A review of the bot's own pull request, to be answered with a new commit on its branch: the review's text and
 * every open thread, each with the file, line and diff hunk it is about. It is gathered by the bot when the review
 * arrives (or when a burst of line comments has settled) and stored with the job, so the job runs on what the
 * reviewers said then.
 *
 * @param pullNumber the pull request
 * @param pullBase   the branch the pull request is to be merged into
 * @param reviewer   who submitted the review, or who wrote the last of the gathered line comments
 * @param reviewBody the review's own text; empty for line comments outside a review
 * @param threads    the open threads: this review's comments and earlier ones Patchwright has not answered
 * @param changes    the pull request's diff so far, filled in by the solve from the repository (null until then)
 */
public record Revision(int pullNumber, String pullBase, String reviewer, String reviewBody, List<ReviewThread> threads,
                       String changes) {

    /** The most of the pull request's diff the model is shown. */
    static final int MAX_CHANGES_CHARS = 40_000;

    public Revision {
        Objects.requireNonNull(pullBase, "pullBase");
        reviewer = reviewer == null ? "" : reviewer;
        reviewBody = reviewBody == null ? "" : reviewBody;
        threads = List.copyOf(threads == null ? List.of() : threads);
    }

    /** A review as the bot gathers it, before the solve reads the pull request's diff. */
    public Revision(int pullNumber, String pullBase, String reviewer, String reviewBody, List<ReviewThread> threads) {
        this(pullNumber, pullBase, reviewer, reviewBody, threads, null);
    }

    /** The same review with the pull request's diff, cut to {@link #MAX_CHANGES_CHARS}. */
    public Revision withChanges(String diff) {
        String kept = diff.length() <= MAX_CHANGES_CHARS ? diff : diff.substring(0, MAX_CHANGES_CHARS)
                + "\n[... the rest of the diff, " + (diff.length() - MAX_CHANGES_CHARS) + " characters, is left out]\n";
        return new Revision(pullNumber, pullBase, reviewer, reviewBody, threads, kept);
    }

    /**
     * One review thread: the comment it starts with, on a line of a file, and the replies after it.
     *
     * @param replyTo  the id of the thread's first comment, which replies answer
     * @param path     the file
     * @param line     the line in the pull request's latest version the thread is on, or null when it is outdated or
     *                 on the whole file
     * @param diffHunk the part of the diff the comment was written on
     * @param notes    what was said, oldest first
     */
    public record ReviewThread(long replyTo, String path, Integer line, String diffHunk, List<Note> notes) {

        public ReviewThread {
            Objects.requireNonNull(path, "path");
            diffHunk = diffHunk == null ? "" : diffHunk;
            notes = List.copyOf(notes == null ? List.of() : notes);
        }
    }

    /** One comment: who wrote it and what. */
    public record Note(String author, String body) {

        public Note {
            author = author == null ? "" : author;
            body = body == null ? "" : body;
        }
    }

    /**
     * The files the pull request created (as far as {@link #changes} shows them): its own new tests among them, which a
     * revision may change when the reviewers ask, unlike the tests the repository had before.
     */
    public java.util.Set<String> created() {
        java.util.Set<String> paths = new java.util.HashSet<>();
        SolveReport.DiffStat.of(changes).stream().filter(SolveReport.DiffStat::created)
                .forEach(stat -> paths.add(stat.path()));
        return paths;
    }

    /** Whether there is anything to act on. */
    public boolean empty() {
        return reviewBody.isBlank() && threads.isEmpty();
    }

    /** The review as the model is shown it: the review's text, then each thread with its place in the code. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (!reviewBody.isBlank()) {
            text.append("Review by @").append(reviewer).append(":\n").append(reviewBody.strip()).append("\n\n");
        }
        int i = 1;
        for (ReviewThread thread : threads) {
            text.append("### Comment ").append(i++).append(" on ").append(thread.path());
            if (thread.line() != null) {
                text.append(", line ").append(thread.line());
            }
            text.append("\n");
            if (!thread.diffHunk().isBlank()) {
                text.append("```diff\n").append(thread.diffHunk().strip()).append("\n```\n");
            }
            for (Note note : thread.notes()) {
                text.append("@").append(note.author()).append(": ").append(note.body().strip()).append("\n");
            }
            text.append("\n");
        }
        return text.toString().strip();
    }
}
