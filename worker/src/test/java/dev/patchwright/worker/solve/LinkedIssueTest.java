package dev.patchwright.worker.solve;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/** Which issues a commit message references, in the order the backtest looks them up. */
class LinkedIssueTest {

    private static LinkedIssue.Reference ref(String repo, int number) {
        return new LinkedIssue.Reference(repo, number);
    }

    @Test
    void theIssueAMessageSaysItClosesComesBeforeThePullRequestItWasMergedFrom() {
        assertThat(LinkedIssue.references("Trim the cookie header (#2580)\n\nFixes #2577, see also #12.", "jhy/jsoup"))
                .containsExactly(ref("jhy/jsoup", 2577), ref("jhy/jsoup", 2580), ref("jhy/jsoup", 12));
        assertThat(LinkedIssue.references("Merge pull request #45 from dev/branch\n\nCloses: #44", "o/r"))
                .containsExactly(ref("o/r", 44), ref("o/r", 45));
    }

    @Test
    void fullUrlsNameTheirOwnRepositoryAndOtherRepositoriesCanBeNamed() {
        assertThat(LinkedIssue.references("Resolves https://github.com/other/lib/issues/7 and upstream/x#3", "o/r"))
                .containsExactly(ref("other/lib", 7), ref("upstream/x", 3));
        assertThat(LinkedIssue.references("See https://github.example.com/team/app/pull/9#issuecomment-1", null))
                .containsExactly(ref("team/app", 9));
    }

    @Test
    void withoutARepositoryBareReferencesAreLeftOutAndNonReferencesAreNotReferences() {
        assertThat(LinkedIssue.references("Fixes #12", null)).isEmpty();
        assertThat(LinkedIssue.references("Escape &#12; and colour #fff, issue#3", "o/r")).isEmpty();
        LinkedIssue.IssueText text = new LinkedIssue(URI.create("http://127.0.0.1:9"), null, null)
                .find("Fix the parser\n\nFixes #12");
        assertThat(text).isEqualTo(new LinkedIssue.IssueText("Fix the parser", "Fixes #12",
                "commit message (no GitHub repository to look #references up in)"));
    }

    @Test
    void aPullRequestDescriptionLeadsOnlyToWhatItCloses() {
        assertThat(LinkedIssue.closing("This fixes #8 by trimming. Related: #9, "
                + "closes https://github.com/o/r/issues/10", "o/r")).containsExactly(ref("o/r", 8), ref("o/r", 10));
    }
}
