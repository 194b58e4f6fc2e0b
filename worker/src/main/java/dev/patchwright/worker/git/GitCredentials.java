package dev.patchwright.worker.git;

import java.util.Arrays;
import java.util.Objects;

import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * A user name and password (for GitHub: {@code x-access-token} and an installation token) handed
 * to JGit in memory for one fetch or push. They are never written to the mirror's config, never
 * put into a URL, and never shown by {@link #toString()}.
 *
 * <p>The password array is not copied: the caller owns it and may {@link #erase()} it when done.
 *
 * @param username the user name, not blank
 * @param password the password or token, not empty
 */
public record GitCredentials(String username, char[] password) {

    public GitCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isBlank()) {
            throw new IllegalArgumentException("git credentials need a user name");
        }
        if (password.length == 0) {
            throw new IllegalArgumentException("git credentials need a password");
        }
    }

    /** Overwrites the password with zeros; this object is useless afterwards. */
    public void erase() {
        Arrays.fill(password, '\0');
    }

    /**
     * A JGit provider holding a private copy of the password, so that JGit clearing its provider
     * never touches the caller's array. Call {@link CredentialsProvider#reset} or
     * {@link UsernamePasswordCredentialsProvider#clear()} when the transport is closed.
     */
    UsernamePasswordCredentialsProvider provider() {
        return new UsernamePasswordCredentialsProvider(username, password.clone());
    }

    /** True when the text contains the password (used to keep it out of error messages). */
    boolean appearsIn(String text) {
        return text != null && text.contains(new String(password));
    }

    @Override
    public String toString() {
        return "GitCredentials[username=" + username + ", password=<redacted>]";
    }
}
