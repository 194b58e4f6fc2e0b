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
        int rounds = Math.max(1, result.rounds());
        md.append(String.format(Locale.ROOT, "Patchwright tried %d candidate patch%s in %d round%s; candidate %d was "
                        + "accepted: %s.%n%n", result.candidates().size(), result.candidates().size() == 1 ? "" : "es",
                rounds, rounds == 1 ? "" : "s", winner.ordinal(), winner.reason()));
        if (winner.evidence().fixed().isEmpty()) {
            md.append("**Note:** no test went from failing to passing (the repository accepts a patch when its tests ")
                    .append("pass), so the tests do not show that this patch fixes the issue. Review it with that in ")
                    .append("mind.\n\n");
        }
        md.append("### What changed\n\n");
        for (DiffStat stat : DiffStat.of(winner.diff())) {
            md.append(String.format(Locale.ROOT, "- `%s` (+%d −%d)%n", stat.path(), stat.added(), stat.removed()));
        }
        md.append('\n');
        appendEvidence(md, result);
        appendRunnersUp(md, result);
        return md.toString();
    }

    /** The other accepted patches, collapsed, when the candidates did not all agree. */
    private static void appendRunnersUp(StringBuilder md, SolveResult result) {
        List<CandidateRecord> others = result.candidates().stream()
                .filter(c -> "passed".equals(c.status()) && c != result.winner()
                        && c.ordinal() != result.winner().ordinal() && c.diff() != null)
                .toList();
        if (others.isEmpty()) {
            return;
        }
        md.append("\n### Runner-up patches\n\nThe vote was split: these candidates were accepted too.\n\n");
        for (CandidateRecord c : others) {
            md.append("<details><summary>Candidate ").append(c.ordinal()).append(" (").append(votes(c))
                    .append(")</summary>\n\n```diff\n").append(c.diff().replace("```", "``\u200b`"))
                    .append("\n```\n</details>\n\n");
        }
    }

    private static String votes(CandidateRecord c) {
        int v = Math.max(1, c.evidence().votes());
        return v + " vote" + (v == 1 ? "" : "s");
    }

    /** The title of the "Patchwright" check run on the pull request's head: what was shown, in one line. */
    public static String checkTitle(SolveResult result) {
        CandidateRecord winner = result.winner();
        if (winner == null) {
            return "Not verified: " + result.reason();
        }
        return winner.evidence().fixed().isEmpty() ? "Tests pass; no test shows the issue fixed"
                : "Verified: " + winner.evidence().fixed().size() + " test" + (winner.evidence().fixed().size() == 1
                ? "" : "s") + " from failing to passing, nothing broken";
    }

    /**
     * The check run's summary: the tests on the base commit against the patched ones, each reproduction test failing
     * before and passing after, the candidates of each round with their votes, why each rejected candidate failed,
     * and money and time against the budget.
     */
    public static String checkSummary(SolveResult result) {
        StringBuilder md = new StringBuilder();
        CandidateRecord winner = result.winner();
        if (result.baseline() != null) {
            md.append("**Base commit** `").append(result.baseCommit() == null ? "" : result.baseCommit().abbreviate(10)
                    .name()).append("`: `").append(result.testCommand()).append("` ")
                    .append(result.baseline().passed() ? "passed" : "failed").append(" (")
                    .append(result.baseline().description()).append(')');
            if (!result.baseline().failingTests().isEmpty()) {
                md.append(", failing: ").append(String.join(", ", result.baseline().failingTests()));
            }
            md.append(".\n\n");
        }
        if (winner != null) {
            md.append("**With the patch** (candidate ").append(winner.ordinal()).append("): ")
                    .append(winner.failingTests().isEmpty() ? "no test fails"
                            : "still failing as before: " + String.join(", ", winner.failingTests()))
                    .append(". Accepted: ").append(winner.reason()).append(".\n\n");
            for (String test : winner.evidence().reproduction()) {
                md.append("- Reproduction test `").append(test).append("`: fails on the base code, passes with the ")
                        .append("patch.\n");
            }
            if (!winner.evidence().reproduction().isEmpty()) {
                md.append('\n');
            }
        }
        md.append("**Candidates**: ");
        int rounds = Math.max(1, result.rounds());
        for (int round = 1; round <= rounds; round++) {
            int r = round;
            List<CandidateRecord> inRound = result.candidates().stream().filter(c -> c.round() == r).toList();
            long accepted = inRound.stream().filter(c -> "passed".equals(c.status())).count();
            md.append(round == 1 ? "" : "; ").append("round ").append(round).append(": ").append(inRound.size())
                    .append(" (").append(accepted).append(" accepted)");
        }
        md.append(".");
        if (winner != null) {
            md.append(" Candidate ").append(winner.ordinal()).append(" won with ").append(votes(winner)).append('.');
        }
        md.append("\n\n");
        List<CandidateRecord> rejected = result.candidates().stream().filter(c -> !"passed".equals(c.status())).toList();
        if (!rejected.isEmpty()) {
            md.append("**Not accepted**:\n");
            for (CandidateRecord c : rejected) {
                md.append("- candidate ").append(c.ordinal()).append(" (round ").append(c.round()).append("): ")
                        .append(c.reason().replace("\n", " ")).append('\n');
            }
            md.append('\n');
        }
        appendSpend(md, result.spend());
        md.append(String.format(Locale.ROOT, "%nTime: %d s in all", result.elapsed().toSeconds()));
        for (SolveResult.Phase phase : result.phases()) {
            md.append(String.format(Locale.ROOT, ", %s %.1f s", phase.name(), phase.millis() / 1000.0));
        }
        md.append(".\n");
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
            md.append("No pull request was opened, because no candidate was accepted.\n\n");
        }
        appendEvidence(md, result);
        return md.toString();
    }

    private static void appendEvidence(StringBuilder md, SolveResult result) {
        if (!result.detected().isEmpty()) {
            md.append(result.detected()).append("\n\n");
        }
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
                md.append(String.format(Locale.ROOT, "| round %d, candidate %d%s | `%s` | **%s**: %s |%n", c.round(),
                        c.ordinal(), c.evidence().votes() > 1 ? " (" + votes(c) + ")" : "",
                        cell(result.testCommand()), c.status() == null ? "" : c.status().equals("passed") ? "accepted"
                                : c.status(), cell(c.reason())));
            }
            md.append('\n');
            List<CandidateRecord> reproduced = result.candidates().stream()
                    .filter(c -> !c.evidence().reproduction().isEmpty()).toList();
            for (CandidateRecord c : reproduced) {
                md.append(String.format(Locale.ROOT, "- Candidate %d's own test %s fails on the base code and %s "
                                + "with its patch.%n", c.ordinal(), String.join(", ", c.evidence().reproduction()),
                        "passed".equals(c.status()) ? "passes" : "was run"));
            }
            if (!reproduced.isEmpty()) {
                md.append('\n');
            }
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
        if (!result.phases().isEmpty()) {
            md.append("\nTime per phase: ");
            for (int i = 0; i < result.phases().size(); i++) {
                SolveResult.Phase phase = result.phases().get(i);
                md.append(i == 0 ? "" : ", ").append(phase.name()).append(' ')
                        .append(String.format(Locale.ROOT, "%.1f s", phase.millis() / 1000.0));
            }
            md.append(".\n");
        }
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
    /**
     * One file of a git-style diff: its path, the lines added and removed, and whether the diff creates it.
     */
    public record DiffStat(String path, int added, int removed, boolean created) {

        /** The files of {@code diff}, in its order; none for null. */
        public static List<DiffStat> of(String diff) {
            List<DiffStat> stats = new ArrayList<>();
            if (diff == null) {
                return stats;
            }
            String path = null;
            int added = 0;
            int removed = 0;
            boolean created = false;
            for (String line : diff.split("\n")) {
                if (line.startsWith("diff --git ")) {
                    if (path != null) {
                        stats.add(new DiffStat(path, added, removed, created));
                    }
                    int b = line.lastIndexOf(" b/");
                    path = b >= 0 ? line.substring(b + 3) : line.substring(11);
                    added = 0;
                    removed = 0;
                    created = false;
                } else if (line.equals("--- /dev/null") || line.startsWith("new file mode ")) {
                    created = true;
                } else if (line.startsWith("+") && !line.startsWith("+++")) {
                    added++;
                } else if (line.startsWith("-") && !line.startsWith("---")) {
                    removed++;
                }
            }
            if (path != null) {
                stats.add(new DiffStat(path, added, removed, created));
            }
            return stats;
        }
    }
}
