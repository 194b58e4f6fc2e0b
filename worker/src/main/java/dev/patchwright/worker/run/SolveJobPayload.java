package dev.patchwright.worker.run;

import dev.patchwright.worker.solve.Revision;

/**
 * What a {@code solve} job needs, stored as JSON in {@code jobs.payload} when the trigger is accepted,
 * so the job runs the same whatever happens on GitHub afterwards.
 *
 * @param installationId the GitHub App installation that grants access
 * @param repository     {@code owner/name}
 * @param cloneUrl       the repository's HTTPS clone URL, without credentials
 * @param defaultBranch  the branch to start from and to open the pull request against
 * @param issueNumber    the issue
 * @param issueTitle     its title when triggered
 * @param issueBody      its text when triggered
 * @param triggeredBy    the login of who asked; their review is requested
 * @param configYaml     the repository's {@code .github/patchwright.yml} as read at the trigger
 * @param budget         the per-issue budget asked for with the trigger ({@code /patchwright fix budget=$N}), in
 *                       dollars as {@link dev.patchwright.inference.money.Money#parse} reads them, or null for the
 *                       repository's per-issue limit
 * @param revision       for a {@code revise} job, the review to answer on the bot's pull request; null for a solve
 */
public record SolveJobPayload(long installationId, String repository, String cloneUrl, String defaultBranch,
                              int issueNumber, String issueTitle, String issueBody, String triggeredBy,
                              String configYaml, String budget, Revision revision) {

    /** A solve's payload. */
    public SolveJobPayload(long installationId, String repository, String cloneUrl, String defaultBranch,
                           int issueNumber, String issueTitle, String issueBody, String triggeredBy,
                           String configYaml, String budget) {
        this(installationId, repository, cloneUrl, defaultBranch, issueNumber, issueTitle, issueBody, triggeredBy,
                configYaml, budget, null);
    }

    /** A payload whose trigger asked for no budget of its own. */
    public SolveJobPayload(long installationId, String repository, String cloneUrl, String defaultBranch,
                           int issueNumber, String issueTitle, String issueBody, String triggeredBy,
                           String configYaml) {
        this(installationId, repository, cloneUrl, defaultBranch, issueNumber, issueTitle, issueBody, triggeredBy,
                configYaml, null);
    }
}
