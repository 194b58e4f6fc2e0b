package dev.patchwright.worker.solve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {

    @TempDir
    Path temp;

    @Test
    void aFifoOrSocketLeftBySetupIsLeftOutOfTheCopyInsteadOfHangingIt() throws Exception {
        Path tree = Files.createDirectories(temp.resolve("tree/sub"));
        Files.writeString(tree.resolve("kept.txt"), "kept\n");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("kept.txt"));
        Path fifo = tree.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(tree.resolve("sock")));
            Workspace workspace = new Workspace(SolveSettings.defaults(temp.resolve("work-dir")), null);

            try (Workspace.Job job = workspace.open("acme/app")) {
                // Opening the FIFO to copy it would block until a writer comes, which nobody will.
                Path copy = assertTimeoutPreemptively(Duration.ofSeconds(10),
                        () -> job.copy(temp.resolve("tree"), "baseline"));

                assertThat(copy.resolve("sub/kept.txt")).hasContent("kept");
                assertThat(Files.readSymbolicLink(copy.resolve("sub/link"))).isEqualTo(Path.of("kept.txt"));
                assertThat(copy.resolve("sub/pipe")).doesNotExist();
                assertThat(Files.exists(copy.resolve("sub/sock"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            }
        }
    }

    @Test
    void repositoriesWhoseNamesDifferOnlyWhereSlashAndUnderscoreMeetGetCachesOfTheirOwn() throws Exception {
        Workspace workspace = new Workspace(SolveSettings.defaults(temp.resolve("work-dir")), null);
        try (Workspace.Job attacker = workspace.open("a_b/c"); Workspace.Job victim = workspace.open("a/b_c")) {
            Files.createDirectories(attacker.cache().resolve(".m2"));
            Files.writeString(attacker.cache().resolve(".m2/settings.xml"), "<settings><mirrors/></settings>");

            assertThat(victim.cache()).isNotEqualTo(attacker.cache());
            assertThat(victim.cache().resolve(".m2/settings.xml")).doesNotExist();
            assertThat(attacker.cache().getParent()).isEqualTo(victim.cache().getParent());
            assertThat(victim.cache().getFileName()).hasToString("a~b_c");
        }
    }
}
