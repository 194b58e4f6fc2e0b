package dev.patchwright.worker.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class RepoKeyTest {

    @Test
    void keysMapToOneDirectoryDirectlyUnderTheRoot() {
        Path root = Path.of("/mirrors");
        assertThat(RepoKey.parse("octo/widgets").directory(root)).isEqualTo(Path.of("/mirrors/octo~widgets.git"));
        assertThat(RepoKey.parse("widgets").directory(root)).isEqualTo(Path.of("/mirrors/widgets.git"));
        assertThat(RepoKey.parse("a.b/c_d-e").directoryName()).isEqualTo("a.b~c_d-e.git");
    }

    @Test
    void unsafeKeysAreRefusedWithTheReason() {
        assertThatThrownBy(() -> RepoKey.parse("a/b/c")).hasMessageContaining("more than one '/'");
        for (String key : new String[] {"..", "../x", "x/..", ".", "a/", "/a", "a\\b", "a b", "a\nb", ""}) {
            assertThatThrownBy(() -> RepoKey.parse(key)).as(key).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
