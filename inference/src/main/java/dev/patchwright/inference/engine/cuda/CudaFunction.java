package dev.patchwright.inference.engine.cuda;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUstream;

import static dev.patchwright.inference.engine.cuda.CudaCallException.check;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;

/**
 * One kernel entry of a loaded module. Arguments are passed in the kernel's order as
 * {@link DeviceBuffer} (a pointer), {@code Integer} (int), {@code Long} (long long),
 * {@code Float} or {@code Double}; the types must match the CUDA signature.
 */
public final class CudaFunction {

    private final String name;
    private final CUfunction function;
    private int dynamicSharedLimit = 48 * 1024;

    CudaFunction(String name, CUfunction function) {
        this.name = name;
        this.function = function;
    }

    public String name() {
        return name;
    }

    /** Lets launches use more than the default 48 KiB of dynamic shared memory. */
    public void allowDynamicShared(int bytes) {
        if (bytes > dynamicSharedLimit) {
            check("cuFuncSetAttribute(" + name + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + bytes + ")",
                    cuFuncSetAttribute(function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
            dynamicSharedLimit = bytes;
        }
    }

    /**
     * Queues the kernel on {@code stream} ({@code null}: the context's default stream).
     *
     * @throws CudaCallException naming the kernel when the launch is refused
     * @throws IllegalArgumentException for an argument of another type
     */
    public void launch(CUstream stream, Launch launch, Object... args) {
        if (launch.sharedBytes() > dynamicSharedLimit) {
            allowDynamicShared(launch.sharedBytes());
        }
        NativePointerObject[] pointers = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            pointers[i] = argument(i, args[i]);
        }
        check("cuLaunchKernel(" + name + ")", cuLaunchKernel(function, launch.gridX(), launch.gridY(), launch.gridZ(),
                launch.threads(), 1, 1, launch.sharedBytes(), stream, Pointer.to(pointers), null));
    }

    private Pointer argument(int i, Object arg) {
        if (arg instanceof DeviceBuffer buffer) {
            return Pointer.to(buffer.pointer());
        } else if (arg instanceof Integer v) {
            return Pointer.to(new int[] {v});
        } else if (arg instanceof Long v) {
            return Pointer.to(new long[] {v});
        } else if (arg instanceof Float v) {
            return Pointer.to(new float[] {v});
        } else if (arg instanceof Double v) {
            return Pointer.to(new double[] {v});
        }
        throw new IllegalArgumentException(name + ": argument " + i + " is a " + (arg == null ? "null" : arg.getClass().getSimpleName())
                + "; kernels take DeviceBuffer, Integer, Long, Float or Double");
    }
}
