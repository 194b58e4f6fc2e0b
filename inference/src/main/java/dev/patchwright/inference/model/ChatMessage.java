package dev.patchwright.inference.model;

/**
 * One message of a chat conversation.
 *
 * @param role who speaks
 * @param content the text of the message, never null (may be empty)
 */
public record ChatMessage(Role role, String content) {

    /** Who speaks a message. */
    public enum Role {
        SYSTEM("system"),
        USER("user"),
        ASSISTANT("assistant");

        private final String wireName;

        Role(String wireName) {
            this.wireName = wireName;
        }

        /** The name OpenAI-style chat APIs use for this role: {@code "system"}, {@code "user"} or {@code "assistant"}. */
        public String wireName() {
            return wireName;
        }
    }

    /** @throws IllegalArgumentException when role or content is null */
    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("role must not be null");
        }
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
    }

    /** A system message: instructions that frame the conversation. */
    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    /** A user message. */
    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    /** An assistant message, for example an earlier answer the model should build on. */
    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }

    /** Shows the role and length only: message contents can be whole repositories. */
    @Override
    public String toString() {
        return "ChatMessage[role=" + role.wireName() + ", chars=" + content.length() + "]";
    }
}
