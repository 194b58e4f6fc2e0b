package dev.patchwright.worker.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Opens and creates bare mirrors with a config that cannot run programs: hooks come from an
 * empty read-only directory the mirror owns, and there is no fsmonitor, filter or remote.
 */
final class MirrorStore {

    /** The empty directory {@code core.hooksPath} points at, inside the mirror. */
    static final String NO_HOOKS = "patchwright-no-hooks";

    private MirrorStore() {
    }

    /** Opens the mirror at {@code dir}, creating it first when it does not exist. */
    static Repository openOrCreate(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException("mirror directory " + dir + " is a symbolic link");
        }
        Repository repo = builder(dir).build();
        try {
            if (!repo.getObjectDatabase().exists()) {
                Files.createDirectories(dir);
                repo.create(true);
            }
            makeSafe(repo, dir);
            return repo;
        } catch (IOException | RuntimeException e) {
            repo.close();
            throw e;
        }
    }

    /** Opens an existing mirror, restoring its safe config if anything changed it. */
    static Repository open(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("mirror directory " + dir + " does not exist");
        }
        Repository repo = builder(dir).setMustExist(true).build();
        try {
            makeSafe(repo, dir);
            return repo;
        } catch (IOException | RuntimeException e) {
            repo.close();
            throw e;
        }
    }

    /** Removes a mirror directory and everything in it, best effort (used after a failed first fetch). */
    static void delete(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // Leaving an empty, safe mirror behind is harmless: the next fetch reuses it.
        }
    }

    // No readEnvironment(): GIT_DIR and friends of the host process must not redirect the mirror.
    private static FileRepositoryBuilder builder(Path dir) {
        return new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare();
    }

    private static void makeSafe(Repository repo, Path dir) throws IOException {
        Path hooks = dir.resolve(NO_HOOKS).toAbsolutePath();
        if (!Files.isDirectory(hooks, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(hooks);
            Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        try (Stream<Path> planted = Files.list(hooks)) {
            if (planted.findAny().isPresent()) {
                throw new IOException("the mirror's empty hooks directory " + hooks + " is not empty");
            }
        }
        StoredConfig config = repo.getConfig();
        boolean changed = false;
        if (!hooks.toString().equals(config.getString(ConfigConstants.CONFIG_CORE_SECTION, null,
                ConfigConstants.CONFIG_KEY_HOOKS_PATH))) {
            config.setString(ConfigConstants.CONFIG_CORE_SECTION, null, ConfigConstants.CONFIG_KEY_HOOKS_PATH,
                    hooks.toString());
            changed = true;
        }
        if (!"false".equals(config.getString(ConfigConstants.CONFIG_CORE_SECTION, null, "fsmonitor"))) {
            config.setString(ConfigConstants.CONFIG_CORE_SECTION, null, "fsmonitor", "false");
            changed = true;
        }
        for (String section : new String[] {"remote", "filter", "submodule"}) {
            if (!config.getSubsections(section).isEmpty()) {
                config.unsetSection(section, null);
                for (String sub : config.getSubsections(section)) {
                    config.unsetSection(section, sub);
                }
                changed = true;
            }
        }
        if (changed) {
            config.save();
        }
    }
}
