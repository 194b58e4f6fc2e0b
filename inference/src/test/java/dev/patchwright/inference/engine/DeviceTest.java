package dev.patchwright.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwright.inference.engine.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

class DeviceTest {

    private static final CudaProbe.Result NONE = new CudaProbe.Result(false, 0, "cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
    private static final CudaProbe.Result H100 = new CudaProbe.Result(true, 1, "NVIDIA H100 80GB HBM3 (81079 MiB)");

    @Test
    void parsesTheThreeChoicesAndNamesABadOne() {
        assertThat(Device.parse("cuda")).isEqualTo(Device.CUDA);
        assertThat(Device.parse(" CPU ")).isEqualTo(Device.CPU);
        assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
        assertThatThrownBy(() -> Device.parse("gpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device must be cpu, cuda or auto, found 'gpu'");
    }

    @Test
    void cpuNeverLooksForAGpu() {
        Device.Choice choice = Device.CPU.choose(() -> {
            throw new AssertionError("probed");
        });
        assertThat(choice.device()).isEqualTo(Device.CPU);
    }

    @Test
    void autoFallsBackToTheCpuSayingWhy() {
        assertThat(Device.AUTO.choose(() -> NONE)).isEqualTo(new Device.Choice(Device.CPU,
                "--device auto: no CUDA device: cuInit failed: CUDA_ERROR_NO_DEVICE (100); using the CPU engine"));
        assertThat(Device.AUTO.choose(() -> H100)).isEqualTo(new Device.Choice(Device.CUDA,
                "--device auto: found NVIDIA H100 80GB HBM3 (81079 MiB); using the GPU engine"));
    }

    @Test
    void cudaRunsOnTheGpuAndRefusesToRunWithoutOne() {
        assertThatThrownBy(() -> Device.CUDA.choose(() -> NONE)).isInstanceOf(IllegalStateException.class)
                .hasMessage("--device cuda: no CUDA device: cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
        assertThat(Device.CUDA.choose(() -> H100).device()).isEqualTo(Device.CUDA);
    }

    @Test
    void theRealProbeAnswersOnThisMachine() {
        CudaProbe.Result result = CudaProbe.probe();
        assertThat(result.description()).isNotBlank();
        if (!result.present()) {
            System.err.println("DeviceTest: no CUDA device here (" + result.description() + "); checked the fallback");
            assertThat(result.devices()).isZero();
        } else {
            assertThat(result.devices()).isPositive();
        }
    }
}
