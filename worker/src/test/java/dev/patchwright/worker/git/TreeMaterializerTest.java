package dev.patchwright.worker.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TreeMaterializerTest {

    @Test
    void plainRelativeLinksStayInside() {
        assertThat(TreeMaterializer.staysInside("docs/readme", "../README.md", Map.of())).isTrue();
        assertThat(TreeMaterializer.staysInside("a", "b/c/../d", Map.of())).isTrue();
        assertThat(TreeMaterializer.staysInside("a", ".", Map.of())).isTrue();
    }

    @Test
    void absoluteAndClimbingLinksEscape() {
        assertThat(TreeMaterializer.staysInside("passwd", "/etc/passwd", Map.of())).isFalse();
        assertThat(TreeMaterializer.staysInside("src/escape", "../../x", Map.of())).isFalse();
        assertThat(TreeMaterializer.staysInside("a", "..", Map.of())).isFalse();
    }

    @Test
    void chainsOfLinksAreFollowedTheWayTheKernelWould() {
        // Lexically "d/../etc" is "etc", but d is the tree root, so d/.. is above it.
        Map<String, String> links = Map.of("d", ".", "a", "d/../etc");
        assertThat(TreeMaterializer.staysInside("a", "d/../etc", links)).isFalse();
        Map<String, String> viaOut = Map.of("out", "/tmp", "b", "out/x");
        assertThat(TreeMaterializer.staysInside("b", "out/x", viaOut)).isFalse();
        Map<String, String> deep = Map.of("x/y", "../z/w", "c", "x/y/..");
        assertThat(TreeMaterializer.staysInside("c", "x/y/..", deep)).isTrue();
    }

    @Test
    void loopsAreRefused() {
        Map<String, String> loop = Map.of("a", "b", "b", "a");
        assertThat(TreeMaterializer.staysInside("a", "b", loop)).isFalse();
    }
}
