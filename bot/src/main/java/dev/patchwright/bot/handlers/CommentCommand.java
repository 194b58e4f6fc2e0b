package dev.patchwright.bot.handlers;

import dev.patchwright.inference.money.Money;

import java.util.Locale;
import java.util.Optional;

/**
 * A {@code /patchwright} command read from a comment: the first line that starts with {@code /patchwright}, so a
 * command can follow a sentence of explanation. A comment without such a line is no command at all.
 *
 * @param verb    what was asked, or {@link Verb#INVALID} when the line could not be read
 * @param budget  the budget asked for with {@code fix budget=$N}, or null
 * @param problem for {@link Verb#INVALID}: what was wrong, in a sentence; otherwise null
 */
public record CommentCommand(Verb verb, Money budget, String problem) {

    static final String PREFIX = "/patchwright";

    /** The commands, as users type them. */
    public enum Verb { FIX, RETRY, STOP, STATUS, BUDGET, HELP, INVALID }

    /** The reply to a command that could not be read. */
    public static final String USAGE = """
            Commands, each on a line of its own:
            - `/patchwright fix [budget=$N]`: work on this issue, optionally with a budget of $N (up to the per-issue maximum)
            - `/patchwright retry`: try again after a failure
            - `/patchwright stop`: stop the queued or running work on this issue
            - `/patchwright status`: where the work on this issue stands
            - `/patchwright budget`: what this issue and this repository spent this month, and what is left
            - `/patchwright help`: this list""";

    /** The command in {@code body}, or empty when no line of it starts with {@code /patchwright}. */
    public static Optional<CommentCommand> find(String body) {
        if (body == null) {
            return Optional.empty();
        }
        for (String line : body.split("\\R")) {
            String text = line.strip();
            if (text.equals(PREFIX) || text.startsWith(PREFIX + " ") || text.startsWith(PREFIX + "\t")) {
                return Optional.of(read(text.substring(PREFIX.length()).strip()));
            }
        }
        return Optional.empty();
    }

    private static CommentCommand read(String rest) {
        if (rest.isEmpty()) {
            return invalid("`/patchwright` needs a command.");
        }
        String[] words = rest.split("\\s+");
        String verb = words[0].toLowerCase(Locale.ROOT);
        Verb known = switch (verb) {
            case "fix" -> Verb.FIX;
            case "retry" -> Verb.RETRY;
            case "stop" -> Verb.STOP;
            case "status" -> Verb.STATUS;
            case "budget" -> Verb.BUDGET;
            case "help" -> Verb.HELP;
            default -> null;
        };
        if (known == null) {
            return invalid("`" + words[0] + "` is not a Patchwright command.");
        }
        Money budget = null;
        for (int i = 1; i < words.length; i++) {
            String word = words[i];
            if (known != Verb.FIX || !word.toLowerCase(Locale.ROOT).startsWith("budget=")) {
                return invalid("`/patchwright " + verb + "` does not take `" + word + "`.");
            }
            if (budget != null) {
                return invalid("`budget=` is given twice.");
            }
            String amount = word.substring("budget=".length());
            try {
                budget = Money.parse(amount);
            } catch (IllegalArgumentException e) {
                return invalid("`" + word + "` is not a budget: write dollars, e.g. `budget=$20`.");
            }
            if (budget.isZero()) {
                return invalid("`" + word + "` is not a budget: it must be more than $0.");
            }
        }
        return new CommentCommand(known, budget, null);
    }

    private static CommentCommand invalid(String problem) {
        return new CommentCommand(Verb.INVALID, null, problem);
    }
}
