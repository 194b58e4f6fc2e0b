package dev.patchwright.bot.webhook;

import java.nio.charset.StandardCharsets;

/**
 * The body of a rehearsal delivery: an {@code issues.labeled} event shaped and sized like GitHub's (about 6 KB:
 * issue, label, repository, installation and sender, with a few paragraphs of issue text), so that the JSON parser
 * and the signature warm up on what real deliveries hold. Its repository is {@code patchwright/rehearsal}, which no
 * installation has.
 */
final class RehearsalPayload {

    private static final String PARAGRAPH = "The report says what happened, what was expected instead, and how to"
            + " make it happen again: the command, the input, the output with its stack trace, the version. ";
    private static final String BEFORE_NUMBER;
    private static final String AFTER_NUMBER;

    static {
        String user = "{\"login\":\"rehearsal\",\"id\":1,\"node_id\":\"U_rehearsal\",\"type\":\"User\","
                + "\"site_admin\":false,\"html_url\":\"https://github.com/rehearsal\","
                + "\"avatar_url\":\"https://avatars.githubusercontent.com/u/1?v=4\"}";
        String label = "{\"id\":1,\"node_id\":\"LA_rehearsal\",\"name\":\"patchwright\",\"color\":\"5319e7\","
                + "\"default\":false,\"description\":\"Patchwright works on this issue\"}";
        String repository = "{\"id\":1,\"node_id\":\"R_rehearsal\",\"name\":\"rehearsal\","
                + "\"full_name\":\"patchwright/rehearsal\",\"private\":true,\"owner\":" + user + ","
                + "\"html_url\":\"https://github.com/patchwright/rehearsal\",\"description\":\"A rehearsal\","
                + "\"fork\":false,\"default_branch\":\"main\",\"language\":\"Java\",\"size\":1024,"
                + "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\","
                + "\"pushed_at\":\"2026-01-01T00:00:00Z\",\"open_issues_count\":1,\"visibility\":\"private\"}";
        BEFORE_NUMBER = "{\"action\":\"labeled\",\"issue\":{\"url\":\"https://api.github.com/repos/patchwright/"
                + "rehearsal/issues/1\",\"id\":1,\"node_id\":\"I_rehearsal\",\"number\":";
        AFTER_NUMBER = ",\"title\":\"A rehearsal of the intake: parsing fails on an empty line\",\"user\":" + user
                + ",\"labels\":[" + label + "],\"state\":\"open\",\"locked\":false,\"assignees\":[],"
                + "\"comments\":0,\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\","
                + "\"author_association\":\"OWNER\",\"body\":\"" + PARAGRAPH.repeat(16) + "\"},\"label\":" + label
                + ",\"repository\":" + repository + ",\"installation\":{\"id\":0,\"node_id\":\"MDIz_rehearsal\"},"
                + "\"sender\":" + user + "}";
    }

    private RehearsalPayload() {
    }

    /** Rehearsal number {@code n}: the same event each time but for the issue number. */
    static byte[] issueLabeled(int n) {
        return (BEFORE_NUMBER + (n + 1) + AFTER_NUMBER).getBytes(StandardCharsets.UTF_8);
    }
}
