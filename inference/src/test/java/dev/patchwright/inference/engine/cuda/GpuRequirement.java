package dev.patchwright.inference.engine.cuda;

import org.junit.jupiter.api.Assumptions;

/** The GPU tests' gate: a device, or a loud skip that says why there is none. */
public final class GpuRequirement {

    private GpuRequirement() {
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
