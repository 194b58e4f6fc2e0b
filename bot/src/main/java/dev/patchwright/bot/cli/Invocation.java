package dev.patchwright.bot.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Where a command runs for its caller: the working directory its relative paths mean, and the streams
 * it prints on. In this process that is the process's own; the resident packer serves a client that
 * runs elsewhere, so it passes the client's directory and streams that reach the client.
 *
 * @param workingDirectory the absolute directory relative paths resolve against, or {@code null} for
 *                         this process's working directory (paths are then used as given)
 * @param out              standard output, or {@code null} for {@link System#out} at the time of use
 * @param err              standard error, or {@code null} for {@link System#err} at the time of use
 */
public record Invocation(Path workingDirectory, PrintStream out, PrintStream err) {

    /** This process: its working directory and its standard streams. */
    public static Invocation here() {
        return new Invocation(null, null, null);
    }

    /** A path as the caller meant it: resolved against the caller's directory when that is not ours. */
    Path resolve(Path path) {
        return path == null || workingDirectory == null ? path : workingDirectory.resolve(path);
    }

    /** Whether paths are resolved against a directory other than this process's. */
    boolean elsewhere() {
        return workingDirectory != null;
    }

    PrintStream stdout() {
        return out == null ? System.out : out;
    }

    PrintStream stderr() {
        return err == null ? System.err : err;
    }
}
