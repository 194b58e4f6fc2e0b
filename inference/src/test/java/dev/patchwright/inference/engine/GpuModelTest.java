package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cuda.CudaDevice;
import dev.patchwright.inference.engine.cuda.CudaOps;
import dev.patchwright.inference.engine.cuda.GpuRequirement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** What the GPU engine's model tests share: the device (or a loud skip naming the test class) and a folder for models. */
abstract class GpuModelTest {

    CudaDevice device;
    CudaOps ops;

    @TempDir
    Path dir;

    @BeforeEach
    void needDevice() {
        ops = GpuRequirement.ops(getClass().getSimpleName());
        device = ops.device();
    }
}
