package dev.patchwright.bot.handlers;

/**
 * What a handler did with a delivery, stored with it.
 *
 * @param acted whether the bot did something (recorded a job, commented); false when it ignored it
 * @param text  a sentence saying what, or why not
 */
public record HandlerOutcome(boolean acted, String text) {

    public static HandlerOutcome acted(String text) {
        return new HandlerOutcome(true, text);
    }

    public static HandlerOutcome ignored(String text) {
        return new HandlerOutcome(false, text);
    }
}
