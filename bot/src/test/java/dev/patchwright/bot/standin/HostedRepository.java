package dev.patchwright.bot.standin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the stand-in knows about one repository: its bare git storage and its issues, pull requests,
 * comments, reactions and collaborators. Not thread-safe: the stand-in guards it with one lock.
 */
final class HostedRepository {

    /** An issue, or the issue half of a pull request when {@link #pull} is set (they share numbers). */
    static final class Issue {
        long id;
        int number;
        String title;
        String body;
        String author;
        String state = "open";
        Instant createdAt;
        Instant updatedAt;
        Pull pull;
    }

    /** The pull-request half of an issue. */
    static final class Pull {
        long id;
        String head;
        String base;
        boolean draft;
        boolean maintainerCanModify;
        final List<String> reviewers = new ArrayList<>();
    }

    static final class Comment {
        long id;
        int issue;
        String author;
        String body;
        Instant createdAt;
        Instant updatedAt;
    }

    record Reaction(long id, int issue, String content, String user, Instant createdAt) {}

    /** A comment on a line of a pull request's diff, made in a review; a reply names the thread's first comment. */
    static final class ReviewComment {
        long id;
        int pull;
        long reviewId;
        Long inReplyTo;
        String author;
        String body;
        String path;
        Integer line;
        String diffHunk;
        String commitId;
        Instant createdAt;
        Instant updatedAt;
    }

    final long id;
    final String owner;
    final String name;
    final BareRepository git;
    final Instant createdAt;
    boolean isPrivate;
    final Map<String, String> roles = new HashMap<>();
    final TreeMap<Integer, Issue> issues = new TreeMap<>();
    final List<Comment> comments = new ArrayList<>();
    final List<ReviewComment> reviewComments = new ArrayList<>();
    final List<Reaction> reactions = new ArrayList<>();
    /** Check runs as GitHub shows them, in the order they were created. */
    final List<com.fasterxml.jackson.databind.node.ObjectNode> checkRuns = new ArrayList<>();
    /** Reactions on issue comments, by comment id. */
    final Map<Long, List<Reaction>> commentReactions = new HashMap<>();

    HostedRepository(long id, String owner, String name, BareRepository git, Instant createdAt) {
        this.id = id;
        this.owner = owner;
        this.name = name;
        this.git = git;
        this.createdAt = createdAt;
    }

    String fullName() {
        return owner + "/" + name;
    }

    /** Issues and pull requests share one sequence of numbers, as on GitHub. */
    int nextNumber() {
        return issues.isEmpty() ? 1 : issues.lastKey() + 1;
    }

    /** The repository's default branch, read from the bare repository's HEAD. */
    String defaultBranch() {
        try (var repo = git.open()) {
            String target = repo.exactRef("HEAD").getTarget().getName();
            return target.substring("refs/heads/".length());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The legacy base permission GitHub reports for a login: {@code maintain} reads as {@code write}
     * and {@code triage} as {@code read}; anyone may read a public repository, nobody else a private one.
     */
    String permission(String login) {
        String role = role(login);
        return switch (role) {
            case "admin" -> "admin";
            case "maintain", "write" -> "write";
            case "triage", "read" -> "read";
            default -> "none";
        };
    }

    /** The role a login holds: the one granted, else owner admin, else read on public repositories. */
    String role(String login) {
        String granted = roles.get(login);
        if (granted != null) {
            return granted;
        }
        if (login.equals(owner)) {
            return "admin";
        }
        return isPrivate ? "none" : "read";
    }

    boolean isCollaborator(String login) {
        return login.equals(owner) || (roles.containsKey(login) && !"none".equals(roles.get(login)));
    }

    /** How GitHub labels a login's relation to this repository in {@code author_association}. */
    String association(String login) {
        if (login.equals(owner)) {
            return "OWNER";
        }
        return isCollaborator(login) ? "COLLABORATOR" : "NONE";
    }
}
