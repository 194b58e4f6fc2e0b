package dev.patchwright.inference.engine.cuda;

import jcuda.driver.CUfunction;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What of the driver layer runs without a device: errors, launch geometry, PTX choice. */
class CudaDriverTest {

    @Test
    void aFailedCallIsNamedWithItsResult() {
        assertThatCode(() -> CudaCallException.check("cuInit", CUresult.CUDA_SUCCESS)).doesNotThrowAnyException();
        assertThatThrownBy(() -> CudaCallException.check("cuMemAlloc(4096 bytes)", CUresult.CUDA_ERROR_OUT_OF_MEMORY))
                .isInstanceOf(CudaCallException.class)
                .hasMessage("cuMemAlloc(4096 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2)")
                .satisfies(e -> assertThat(((CudaCallException) e).result()).isEqualTo(2));
    }

    @Test
    void launchGeometryStaysInsideCudasLimits() {
        assertThat(Launch.stride(0, 256).gridX()).isEqualTo(1);
        assertThat(Launch.stride(1000, 256).gridX()).isEqualTo(4);
        assertThat(Launch.stride(10_000_000_000L, 256).gridX()).isEqualTo(Launch.MAX_STRIDE_BLOCKS);
        assertThat(Launch.warpPerRow(4096, 256, 100_000).gridX()).isEqualTo(512);
        assertThat(Launch.warpPerRow(4097, 256, 100_000).gridX()).isEqualTo(513);
        assertThat(Launch.warpPerRow(4096, 256, 132).gridX()).isEqualTo(132);
        assertThat(Launch.grid(3, 8, 128, 70_000).blocks()).isEqualTo(24);
        assertThatThrownBy(() -> Launch.perRow(4, 100)).hasMessageContaining("multiple of 32").hasMessageContaining("100");
        assertThatThrownBy(() -> Launch.perRow(0, 128)).hasMessageContaining("grid 0 x 1 x 1");
        assertThatThrownBy(() -> Launch.grid(1, 70_000, 128, 0)).hasMessageContaining("65535");
        assertThatThrownBy(() -> Launch.grid(1, 1, 128, -1)).hasMessageContaining("-1");
    }

    @Test
    void hopperGetsTheCompute90PtxAndAmpereTheCompute80One() {
        assertThat(CudaDevice.ptxResource("rmsnorm", 9)).endsWith("/cuda/rmsnorm.ptx");
        assertThat(CudaDevice.ptxResource("rmsnorm", 10)).endsWith("/cuda/rmsnorm.ptx");
        assertThat(CudaDevice.ptxResource("rmsnorm", 8)).endsWith("/cuda/rmsnorm.compute_80.ptx");
        assertThatThrownBy(() -> CudaDevice.ptxResource("rmsnorm", 7)).hasMessageContaining("8.0");
        for (String module : CudaKernelNames.MODULES) {
            for (int major : new int[] {8, 9}) {
                assertThat(CudaDevice.class.getResource(CudaDevice.ptxResource(module, major))).as(module + " for " + major).isNotNull();
            }
        }
    }

    @Test
    void attentionSharedMemoryAndTheQueriesThatFitAgree() {
        // head_dim 128, blocks of 16: 64 queries (16 samples of Llama-3-8B's 4-query groups) need 82,752 bytes
        assertThat(CudaOps.attentionSharedBytes(64, 128, 16)).isEqualTo(4 * (64 * 259 + 16 * 257));
        int h100 = 232_448; // an H100's opt-in limit per block
        int fit = CudaOps.attentionQueriesThatFit(h100, 128, 16);
        assertThat(fit).isEqualTo(208);
        assertThat(CudaOps.attentionSharedBytes(fit, 128, 16)).isLessThanOrEqualTo(h100);
        assertThat(CudaOps.attentionSharedBytes(fit + 1, 128, 16)).isGreaterThan(h100);
    }

    @Test
    void anArgumentOfAnotherTypeIsRefusedBeforeTheDriverSeesIt() {
        CudaFunction f = new CudaFunction("add_f32", new CUfunction());
        assertThatThrownBy(() -> f.launch(null, Launch.stride(4, 32), "x"))
                .hasMessage("add_f32: argument 0 is a String; kernels take DeviceBuffer, Integer, Long, Float or Double");
    }

    @Test
    void withoutTheDriverOpeningADeviceSaysWhichLibraryIsMissing() {
        CudaProbe.Result probe = CudaProbe.probe();
        Assumptions.assumeFalse(probe.present(), "a CUDA device is present: " + probe.description());
        assertThatThrownBy(() -> CudaDevice.open(0)).satisfiesAnyOf(
                e -> assertThat(e).isInstanceOf(IllegalStateException.class).hasMessageContaining("libcuda.so.1"),
                e -> assertThat(e).isInstanceOf(CudaCallException.class).hasMessageContaining("cuInit"));
    }
}
