package dev.patchwright.inference.engine.cuda;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the GPU engine cuts a prompt into forward calls: at most a chunk each, and a cut where a
 * repeat of the prompt resumes after the prefix cache's blocks, so that the repeat's last call is
 * the same as the first request's (and its logits the same bit for bit). Needs no device.
 */
class PromptChunksTest {

    @Test
    void aPromptIsCutWhereARepeatResumes() {
        // 40 tokens at 16 a block: a repeat reuses 2 blocks (32 tokens) and processes 32..39 itself
        assertThat(CudaEngine.chunkEnds(0, 40, 1024)).containsExactly(32, 40);
        assertThat(CudaEngine.chunkEnds(32, 40, 1024)).as("the repeat").containsExactly(40);
        assertThat(CudaEngine.chunkEnds(0, 32, 1024)).as("a full last block: the repeat reuses one").containsExactly(16, 32);
        assertThat(CudaEngine.chunkEnds(0, 10, 1024)).as("no full block").containsExactly(10);
    }

    @Test
    void chunksStayWithinTheirSize() {
        assertThat(CudaEngine.chunkEnds(0, 32768, 2048)).hasSize(17).startsWith(2048, 4096).endsWith(30720, 32752, 32768);
        assertThat(CudaEngine.chunkEnds(16, 100, 32)).containsExactly(48, 80, 96, 100);
    }
}
