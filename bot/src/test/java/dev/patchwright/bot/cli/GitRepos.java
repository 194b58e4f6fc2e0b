package dev.patchwright.bot.cli;

import org.eclipse.jgit.api.Git;

import java.nio.file.Path;

/** Real git repositories for the command line's tests. */
final class GitRepos {

    private GitRepos() {
    }

    /** Makes {@code dir} a repository on branch main holding all its files in one commit. */
    static Path commitAll(Path dir, String message) throws Exception {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage(message).setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com")
                    .setSign(false).call();
        }
        return dir;
    }
}
