package dev.patchwright.inference.engine.cuda;

import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

import java.util.HashMap;
import java.util.Map;

import static dev.patchwright.inference.engine.cuda.CudaCallException.check;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;

/** A PTX module loaded into a context, and the kernel entries taken from it. */
public final class CudaModule {

    private final String name;
    private final CUmodule module;
    private final Map<String, CudaFunction> functions = new HashMap<>();

    CudaModule(String name, CUmodule module) {
        this.name = name;
        this.module = module;
    }

    CUmodule handle() {
        return module;
    }

    /**
     * The kernel {@code entry}, as its {@code extern "C"} name.
     *
     * @throws CudaCallException naming the module and entry when it is not there
     */
    public synchronized CudaFunction function(String entry) {
        return functions.computeIfAbsent(entry, e -> {
            CUfunction f = new CUfunction();
            check("cuModuleGetFunction(" + name + ", " + e + ")", cuModuleGetFunction(f, module, e));
            return new CudaFunction(e, f);
        });
    }
}
