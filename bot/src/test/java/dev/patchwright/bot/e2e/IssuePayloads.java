package dev.patchwright.bot.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchwright.bot.standin.GitHubStandIn;

import java.io.IOException;

/** {@code issues} webhook bodies as GitHub sends them (from the recorded examples), pointed at the GitHub stand-in. */
final class IssuePayloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private IssuePayloads() {
    }

    /** An {@code issues.<action>} body for issue {@code number} of {@code owner/repo}, with its label and sender. */
    static byte[] issueEvent(GitHubStandIn github, String action, String owner, String repo, int number, String title,
                             String body, String label, String sender) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(IssuePayloads.class.getResourceAsStream("/e2e/issues-" + action + ".json"));
        ObjectNode repository = (ObjectNode) root.get("repository");
        repository.put("name", repo).put("full_name", owner + "/" + repo).put("default_branch", "main")
                .put("clone_url", github.cloneUrl(owner, repo))
                .put("url", github.apiUrl() + "/repos/" + owner + "/" + repo);
        ((ObjectNode) repository.get("owner")).put("login", owner);
        ObjectNode issueNode = (ObjectNode) root.get("issue");
        issueNode.put("number", number).put("title", title).put("body", body)
                .put("url", github.apiUrl() + "/repos/" + owner + "/" + repo + "/issues/" + number);
        ((ObjectNode) root.get("label")).put("name", label);
        ((ObjectNode) root.get("sender")).put("login", sender);
        root.putObject("installation").put("id", github.installationId()).put("node_id", "MDIzOkluc3RhbGxhdGlvbjE=");
        return JSON.writeValueAsBytes(root);
    }
}
