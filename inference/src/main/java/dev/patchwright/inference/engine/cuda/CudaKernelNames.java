package dev.patchwright.inference.engine.cuda;

import java.util.List;

/** The kernel modules, one per source in {@code src/main/cuda}, as the engine loads them. */
public final class CudaKernelNames {

    /** Every module's name: {@code NAME.cu} compiles to {@code NAME.ptx}. */
    public static final List<String> MODULES = List.of("attention", "embedding", "kv_cache", "matmul", "matvec", "random", "residual",
            "rmsnorm", "rope", "sampling", "swiglu");

    private CudaKernelNames() {
    }
}
