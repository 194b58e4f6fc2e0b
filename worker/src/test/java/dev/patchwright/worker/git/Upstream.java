package dev.patchwright.worker.git;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/** A bare upstream repository and a working clone that commits and pushes to it, built with JGit. */
final class Upstream implements AutoCloseable {

    static final PersonIdent AUTHOR = new PersonIdent("Upstream Author", "upstream@example.org");

    final Path bareDir;
    final Path workDir;
    final Git bare;
    final Git work;

    Upstream(Path dir, String initialBranch) throws GitAPIException {
        bareDir = dir.resolve("upstream.git");
        workDir = dir.resolve("work");
        bare = Git.init().setBare(true).setDirectory(bareDir.toFile()).setInitialBranch(initialBranch).call();
        work = Git.init().setDirectory(workDir.toFile()).setInitialBranch(initialBranch).call();
    }

    URI uri() {
        return bareDir.toUri();
    }

    Repository bareRepo() {
        return bare.getRepository();
    }

    Upstream write(String path, String content) throws IOException {
        Path file = workDir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    Upstream executable(String path, String content) throws IOException {
        write(path, content);
        Files.setPosixFilePermissions(workDir.resolve(path), PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    Upstream link(String path, String target) throws IOException {
        Path link = workDir.resolve(path);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
        return this;
    }

    /** Records a submodule entry (a gitlink) in the index without any submodule behind it. */
    Upstream gitlink(String path) throws IOException {
        DirCache index = work.getRepository().lockDirCache();
        DirCacheEditor editor = index.editor();
        editor.add(new DirCacheEditor.PathEdit(path) {
            @Override
            public void apply(DirCacheEntry entry) {
                entry.setFileMode(FileMode.GITLINK);
                entry.setObjectId(ObjectId.fromString("0123456789abcdef0123456789abcdef01234567"));
            }
        });
        editor.commit();
        return this;
    }

    /** Commits everything in the work tree on the current branch and pushes it upstream. */
    ObjectId commitAndPush(String message) throws GitAPIException {
        work.add().addFilepattern(".").call();
        work.add().addFilepattern(".").setUpdate(true).call();
        RevCommit commit = work.commit().setMessage(message).setAuthor(AUTHOR).setCommitter(AUTHOR).call();
        String branch = currentBranch();
        work.push().setRemote(uri().toString())
                .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch)).setForce(true).call();
        return commit.getId();
    }

    Upstream checkoutNew(String branch) throws GitAPIException {
        work.checkout().setCreateBranch(true).setName(branch).call();
        return this;
    }

    Upstream checkout(String branch) throws GitAPIException {
        work.checkout().setName(branch).call();
        return this;
    }

    String currentBranch() {
        try {
            return work.getRepository().getBranch();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    ObjectId branchTip(String branch) throws IOException {
        return bareRepo().resolve("refs/heads/" + branch);
    }

    @Override
    public void close() {
        bare.close();
        work.close();
    }
}
