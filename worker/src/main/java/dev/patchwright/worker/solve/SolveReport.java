package dev.patchwright.worker.solve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a solve's evidence as Markdown: the pull request body, the comment when nothing passed,
 * and the report of a local {@code solve} are all this one text, so they never disagree.
 */
public final class SolveReport {

    private static final int OUTPUT_LINES = 40;

    private SolveReport() {
    }

    /** The pull request body for a solved issue; starts with "Fixes #n" when there is an issue. */
    public static String pullRequestBody(SolveRequest request, SolveResult result) {
        StringBuilder md = new StringBuilder();
        if (request.issueNumber() > 0) {
            md.append("Fixes #").append(request.issueNumber()).append("\n\n");
        }
        CandidateRecord winner = result.winner();
        md.append(String.format(Locale.ROOT, "Patchwright tried %d candidate patch%s; candidate %d makes `%s` pass.%n%n",
                result.candidates().size(), result.candidates().size() == 1 ? "" : "es", winner.ordinal(),
                result.testCommand()));
        if (result.baseline() != null && result.baseline().passed()) {
            md.append("**Note:** the tests already passed on the base commit, so they do not show that this patch ")
                    .append("fixes the issue. Review it with that in mind.\n\n");
        }
        md.append("### What changed\n\n");
        for (DiffStat stat : DiffStat.of(winner.diff())) {
            md.append(String.format(Locale.ROOT, "- `%s` (+%d −%d)%n", stat.path(), stat.added(), stat.removed()));
        }
        md.append('\n');
        appendEvidence(md, result);
        return md.toString();
    }

    /** The text that says why no pull request was opened. */
    public static String failureText(SolveRequest request, SolveResult result) {
        StringBuilder md = new StringBuilder();
        md.append("Patchwright could not produce a verified fix");
        if (request.issueNumber() > 0) {
            md.append(" for #").append(request.issueNumber());
        }
        md.append(": ").append(result.reason()).append("\n\n");
        if (!result.candidates().isEmpty()) {
            md.append("No pull request was opened, because no candidate made the tests pass.\n\n");
        }
        appendEvidence(md, result);
        return md.toString();
    }

    private static void appendEvidence(StringBuilder md, SolveResult result) {
        if (result.baseCommit() != null) {
            md.append("### Verification\n\n");
            md.append("Every command ran in a bubblewrap sandbox with no secrets and no write access outside the ")
                    .append("checkout and the repository's dependency cache; the tests ran without network");
            if (result.setup() != null) {
                md.append(" (the setup step may have had network, to fill the cache)");
            }
            md.append(String.format(Locale.ROOT, ", on `%s` at `%s`.%n%n", result.baseBranch(),
                    result.baseCommit().abbreviate(10).name()));
            md.append("| step | command | result |\n|---|---|---|\n");
            if (result.setup() != null) {
                row(md, "setup", result.setup());
            }
            if (result.baseline() != null) {
                row(md, "tests on the base commit", result.baseline());
            }
            for (CandidateRecord c : result.candidates()) {
                md.append(String.format(Locale.ROOT, "| candidate %d | `%s` | **%s**: %s |%n", c.ordinal(),
                        cell(result.testCommand()), c.status(), cell(c.reason())));
            }
            md.append('\n');
        }
        CandidateRecord shown = result.winner() != null ? result.winner() : lastWithOutput(result.candidates());
        if (shown != null && shown.testOutputTail() != null) {
            md.append("<details><summary>Test output of candidate ").append(shown.ordinal())
                    .append(" (last lines)</summary>\n\n```\n").append(lastLines(shown.testOutputTail()))
                    .append("\n```\n</details>\n\n");
        }
        if (result.usage() != null) {
            md.append(String.format(Locale.ROOT, "Model tokens: %,d prompt (%,d cached), %,d completion. Time: %d s.%n",
                    result.usage().promptTokens(), result.usage().cachedPromptTokens(),
                    result.usage().completionTokens(), result.elapsed().toSeconds()));
        }
        appendSpend(md, result.spend());
    }

    /** What the job spent and what its budgets leave, in one line; nothing when no price was known. */
    static void appendSpend(StringBuilder md, SolveResult.Spend spend) {
        if (!spend.known()) {
            return;
        }
        md.append('\n').append("Spent: **").append(spend.spent()).append("**");
        if (!spend.issueLimit().isEmpty()) {
            md.append(" of this issue's ").append(spend.issueLimit()).append(" budget");
        }
        if (!spend.repositoryLimit().isEmpty()) {
            md.append("; this repository has ").append(spend.repositoryLeft()).append(" left of its ")
                    .append(spend.repositoryLimit()).append(" budget this month");
        }
        md.append(".\n");
    }

    private static void row(StringBuilder md, String step, SolveResult.StepRun run) {
        String verdict = run.passed() ? "passed" : "failed";
        String tests = run.failingTests().isEmpty() ? "" : " (failing: " + String.join(", ", run.failingTests()) + ")";
        md.append(String.format(Locale.ROOT, "| %s | `%s` | %s, %s%s |%n", step, cell(run.command()), verdict,
                cell(run.description()), cell(tests)));
    }

    private static CandidateRecord lastWithOutput(List<CandidateRecord> candidates) {
        for (int i = candidates.size() - 1; i >= 0; i--) {
            if (candidates.get(i).testOutputTail() != null) {
                return candidates.get(i);
            }
        }
        return null;
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    private static String lastLines(String output) {
        String[] lines = output.strip().split("\n");
        int from = Math.max(0, lines.length - OUTPUT_LINES);
        return String.join("\n", List.of(lines).subList(from, lines.length)).replace("```", "``\u200b`");
    }

    /** Lines added and removed per file, read from a git unified diff. */
    record DiffStat(String path, int added, int removed) {
        static List<DiffStat> of(String diff) {
            List<DiffStat> stats = new ArrayList<>();
            if (diff == null) {
                return stats;
            }
            String path = null;
            int added = 0;
            int removed = 0;
            for (String line : diff.split("\n")) {
                if (line.startsWith("diff --git ")) {
                    if (path != null) {
                        stats.add(new DiffStat(path, added, removed));
                    }
                    int b = line.lastIndexOf(" b/");
                    path = b >= 0 ? line.substring(b + 3) : line.substring(11);
                    added = 0;
                    removed = 0;
                } else if (line.startsWith("+") && !line.startsWith("+++")) {
                    added++;
                } else if (line.startsWith("-") && !line.startsWith("---")) {
                    removed++;
                }
            }
            if (path != null) {
                stats.add(new DiffStat(path, added, removed));
            }
            return stats;
        }
    }
}
