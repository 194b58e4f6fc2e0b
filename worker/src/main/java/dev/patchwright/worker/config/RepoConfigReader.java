package dev.patchwright.worker.config;

import dev.patchwright.inference.money.Money;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code patchwright.yml} from SnakeYAML's node tree rather than from objects, because the
 * nodes keep their line numbers and every error must say where it is.
 */
final class RepoConfigReader {

    private static final List<String> KEYS = List.of("trigger-label", "setup", "test", "paths-ignore",
            "candidates", "rounds", "setup-timeout", "test-timeout", "setup-network", "budget", "allow-test-changes",
            "accept", "allowed");
    private static final List<String> BUDGET_KEYS = List.of("monthly", "per-issue", "per-issue-time");
    private static final Pattern DURATION = Pattern.compile("(\\d+)([hms])");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    private final String source;

    RepoConfigReader(String source) {
        this.source = source;
    }

    RepoConfig read(String yaml) throws RepoConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            if (e.getContext() != null) {
                problem = e.getContext() + ", " + problem;
            }
            throw new RepoConfigException(source, mark == null ? 0 : mark.getLine() + 1,
                    mark == null ? 0 : mark.getColumn() + 1, "YAML syntax error: " + problem);
        } catch (YAMLException e) {
            throw new RepoConfigException(source, 0, "cannot read the YAML: " + e.getMessage());
        }
        if (root == null) {
            // An empty file says only "use the defaults": the build is detected.
            return RepoConfig.detected();
        }
        if (!(root instanceof MappingNode)) {
            throw error(root, "the document must be a mapping of keys such as 'test: <command>', not "
                    + kind(root));
        }
        Map<String, Node> values = new HashMap<>();
        for (NodeTuple tuple : ((MappingNode) root).getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode)) {
                throw error(keyNode, "keys must be plain words, not " + kind(keyNode));
            }
            String key = ((ScalarNode) keyNode).getValue();
            if (!KEYS.contains(key)) {
                throw error(keyNode, "unknown key '" + key + "'" + suggestion(key) + "; known keys: "
                        + String.join(", ", KEYS));
            }
            if (values.containsKey(key)) {
                throw error(keyNode, "key '" + key + "' appears twice (first on line " + line(values.get(key)) + ")");
            }
            values.put(key, tuple.getValueNode());
        }

        // Without 'test' the worker detects the build (Maven, Gradle, npm, pytest, cargo, go) and says what it chose.
        String test = string(values, "test");
        String label = string(values, "trigger-label");
        return new RepoConfig(label != null ? label : RepoConfig.DEFAULT_TRIGGER_LABEL, string(values, "setup"),
                test, strings(values, "paths-ignore"), whole(values, "candidates", RepoConfig.MAX_CANDIDATES),
                whole(values, "rounds", RepoConfig.MAX_ROUNDS),
                duration(values, "setup-timeout", RepoConfig.DEFAULT_SETUP_TIMEOUT),
                duration(values, "test-timeout", RepoConfig.DEFAULT_TEST_TIMEOUT),
                bool(values, "setup-network", true), budget(values.get("budget")),
                bool(values, "allow-test-changes", false), accept(values.get("accept")),
                strings(values, "allowed"));
    }

    /** {@code accept:}: the rule a candidate must meet to be accepted. */
    private AcceptRule accept(Node node) throws RepoConfigException {
        if (node == null) {
            return AcceptRule.FAIL_TO_PASS;
        }
        String value = node instanceof ScalarNode scalar ? scalar.getValue() : null;
        for (AcceptRule rule : AcceptRule.values()) {
            if (rule.word().equals(value)) {
                return rule;
            }
        }
        throw error(node, "'accept' must be one of " + AcceptRule.words() + ", not "
                + (value == null ? kind(node) : "'" + value + "'"));
    }

    /** The {@code budget:} mapping: dollar amounts and a duration, each optional. */
    private RepoBudget budget(Node node) throws RepoConfigException {
        if (node == null || node.getTag().equals(Tag.NULL)) {
            return RepoBudget.NONE;
        }
        if (!(node instanceof MappingNode)) {
            throw error(node, "'budget' must be a mapping such as {monthly: 20, per-issue: 2.50, per-issue-time: 30m}, "
                    + "not " + kind(node));
        }
        Map<String, Node> values = new HashMap<>();
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
            String key = tuple.getKeyNode() instanceof ScalarNode scalar ? scalar.getValue() : "";
            if (!BUDGET_KEYS.contains(key)) {
                throw error(tuple.getKeyNode(), "unknown key '" + key + "' in 'budget'; known keys: "
                        + String.join(", ", BUDGET_KEYS));
            }
            values.put(key, tuple.getValueNode());
        }
        return new RepoBudget(dollars(values, "monthly"), dollars(values, "per-issue"),
                values.containsKey("per-issue-time") ? duration(values, "per-issue-time", null) : null);
    }

    private Money dollars(Map<String, Node> values, String key) throws RepoConfigException {
        Node node = values.get(key);
        if (node == null) {
            return null;
        }
        String name = "'budget." + key + "'";
        if (!(node instanceof ScalarNode scalar) || node.getTag().equals(Tag.BOOL) || node.getTag().equals(Tag.NULL)) {
            throw error(node, name + " must be an amount of dollars such as 20 or 2.50, not " + kind(node));
        }
        try {
            return Money.parse(scalar.getValue());
        } catch (IllegalArgumentException e) {
            throw error(node, name + ": " + e.getMessage());
        }
    }

    /** A non-blank string, or null when the key is absent. Numbers are read as their text. */
    private String string(Map<String, Node> values, String key) throws RepoConfigException {
        Node node = values.get(key);
        if (node == null) {
            return null;
        }
        if (!(node instanceof ScalarNode) || node.getTag().equals(Tag.BOOL) || node.getTag().equals(Tag.NULL)) {
            throw error(node, "'" + key + "' must be a string, not " + kind(node));
        }
        String value = ((ScalarNode) node).getValue();
        if (value.isBlank()) {
            throw error(node, "'" + key + "' must not be blank");
        }
        return value.strip();
    }

    private List<String> strings(Map<String, Node> values, String key) throws RepoConfigException {
        Node node = values.get(key);
        if (node == null || node.getTag().equals(Tag.NULL)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode)) {
            throw error(node, "'" + key + "' must be a list of strings, e.g. [docs/, \"*.png\"], not " + kind(node));
        }
        List<String> result = new ArrayList<>();
        for (Node item : ((SequenceNode) node).getValue()) {
            if (!(item instanceof ScalarNode) || item.getTag().equals(Tag.NULL)
                    || ((ScalarNode) item).getValue().isBlank()) {
                throw error(item, "every item of '" + key + "' must be a non-blank string, not " + kind(item));
            }
            result.add(((ScalarNode) item).getValue().strip());
        }
        return result;
    }

    private Integer whole(Map<String, Node> values, String key, int max) throws RepoConfigException {
        Node node = values.get(key);
        if (node == null) {
            return null;
        }
        String range = "a whole number from 1 to " + max;
        if (!(node instanceof ScalarNode) || !node.getTag().equals(Tag.INT)) {
            throw error(node, "'" + key + "' must be " + range + ", not " + kind(node));
        }
        try {
            int n = Integer.parseInt(((ScalarNode) node).getValue().replace("_", ""));
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below, like any number out of range.
        }
        throw error(node, "'" + key + "' must be " + range + ", got " + ((ScalarNode) node).getValue());
    }

    private Duration duration(Map<String, Node> values, String key, Duration fallback) throws RepoConfigException {
        Node node = values.get(key);
        if (node == null) {
            return fallback;
        }
        String text = node instanceof ScalarNode ? ((ScalarNode) node).getValue().strip() : "";
        String expected = "'" + key + "' must be a duration such as 90s, 10m, 1h or 1h30m";
        if (!(node instanceof ScalarNode) || !text.matches("(\\d+[hms])+")) {
            throw error(node, expected + ", not " + (node instanceof ScalarNode && node.getTag().equals(Tag.INT)
                    ? "a number without a unit (" + text + ")" : kind(node)));
        }
        Duration total = Duration.ZERO;
        Matcher m = DURATION.matcher(text);
        while (m.find()) {
            long amount = Long.parseLong(m.group(1).length() > 9 ? "999999999" : m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            });
        }
        if (total.isZero() || total.compareTo(MAX_TIMEOUT) > 0) {
            throw error(node, "'" + key + "' must be between 1s and 24h, got " + text);
        }
        return total;
    }

    private boolean bool(Map<String, Node> values, String key, boolean fallback) throws RepoConfigException {
        Node node = values.get(key);
        if (node == null) {
            return fallback;
        }
        if (!(node instanceof ScalarNode) || !node.getTag().equals(Tag.BOOL)) {
            throw error(node, "'" + key + "' must be true or false, not " + kind(node));
        }
        // YAML 1.1, which SnakeYAML follows, also spells booleans yes/no and on/off.
        return List.of("true", "yes", "on").contains(((ScalarNode) node).getValue().toLowerCase(Locale.ROOT));
    }

    private RepoConfigException error(Node node, String problem) {
        return new RepoConfigException(source, line(node), problem);
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        Tag tag = node.getTag();
        String value = ((ScalarNode) node).getValue();
        if (tag.equals(Tag.NULL)) {
            return "an empty value";
        }
        if (tag.equals(Tag.BOOL)) {
            return "the boolean " + value;
        }
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
            return "the number " + value;
        }
        return "the string '" + value + "'";
    }

    /** "; did you mean 'test-timeout'?" for a key at most a third misspelt, else "". */
    private static String suggestion(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : KEYS) {
            int d = distance(key.toLowerCase(Locale.ROOT).replace('_', '-'), known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, best.length() / 3) ? "; did you mean '" + best + "'?" : "";
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
