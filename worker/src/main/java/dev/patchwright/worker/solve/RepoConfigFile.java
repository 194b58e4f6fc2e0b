package dev.patchwright.worker.solve;

import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.config.RepoConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Reads {@code .github/patchwright.yml} from a materialized tree. */
public final class RepoConfigFile {

    /** Where the repository keeps its Patchwright settings. */
    public static final String PATH = ".github/patchwright.yml";

    private RepoConfigFile() {
    }

    /**
     * Reads and checks the file; without one, every setting is the default and the build is detected.
     *
     * @throws Invalid when it is not a regular file or not valid; the message says how to fix it
     */
    public static RepoConfig read(Path tree) throws Invalid {
        Path file = tree.resolve(PATH);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return RepoConfig.detected();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new Invalid(PATH + " is not a regular file");
        }
        try {
            return RepoConfig.parse(Files.readString(file, StandardCharsets.UTF_8), PATH);
        } catch (RepoConfigException e) {
            throw new Invalid(e.getMessage());
        } catch (IOException e) {
            throw new Invalid(PATH + " could not be read: " + e.getMessage());
        }
    }

    /** The configuration is missing or invalid. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }
}
