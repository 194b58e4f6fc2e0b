package dev.patchwright.inference.engine.cuda;

import org.junit.jupiter.api.Assumptions;

/** The GPU tests' gate: a device, or a loud skip that says why there is none. */
public final class GpuRequirement {

    private static CudaOps shared;

    private GpuRequirement() {
    }

    /**
     * The kernels on device 0, opened once for every GPU test class of this JVM (the process's end
     * releases it), or skips the calling test naming what is missing.
     */
    public static synchronized CudaOps ops(String test) {
        present(test);
        if (shared == null) {
            shared = new CudaOps(CudaDevice.open(0));
        }
        return shared;
    }

    /** Opens device 0, or skips the calling test naming what is missing (e.g. libcuda.so.1). */
    public static CudaDevice device(String test) {
        present(test);
        return CudaDevice.open(0);
    }

    /** Returns when a device is there (without opening it), or skips the calling test naming what is missing. */
    public static void present(String test) {
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.present()) {
            String why = test + " SKIPPED: no CUDA device: " + probe.description();
            System.err.println("*** " + why + " ***");
            Assumptions.abort(why);
        }
    }
}
