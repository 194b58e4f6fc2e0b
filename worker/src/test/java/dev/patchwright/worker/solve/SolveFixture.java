package dev.patchwright.worker.solve;

import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.sandbox.SandboxUnavailableException;
import org.eclipse.jgit.api.Git;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** Real repositories and work directories in a test's temporary folder. */
public final class SolveFixture {

    private static BubblewrapSandbox sandbox;

    private SolveFixture() {
    }

    /** The real sandbox, made (and self-tested) once for all the tests of a run. */
    public static synchronized BubblewrapSandbox sandbox() {
        if (sandbox == null) {
            try {
                sandbox = BubblewrapSandbox.create();
            } catch (SandboxUnavailableException e) {
                throw new IllegalStateException("these tests need the bubblewrap sandbox: " + e.getMessage(), e);
            }
        }
        return sandbox;
    }

    /** The work root under {@code temp}, reachable by the sandbox user. */
    public static Path work(Path temp) throws Exception {
        Path work = Files.createDirectories(temp.resolve("work"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        return work;
    }

    public static SolveRequest request(Path repo) {
        return new SolveRequest("local/app", repo.toUri(), null, null, 0, "x should be 2", "Make x 2.", null);
    }

    /** A git repository under {@code temp} with {@code files} in one commit on {@code main}. */
    public static Path repository(Path temp, Map<String, String> files) throws Exception {
        Path repo = temp.resolve("repo");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = repo.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("initial").setAuthor("dev", "dev@example.com")
                    .setCommitter("dev", "dev@example.com").setSign(false).call();
        }
        return repo;
    }
}
