package dev.patchwright.inference.engine.cuda;

import jcuda.driver.CUresult;

/** A CUDA driver call that did not return {@code CUDA_SUCCESS}, named with its result. */
public final class CudaCallException extends RuntimeException {

    private final String call;
    private final int result;

    public CudaCallException(String call, int result) {
        super(call + " failed: " + CUresult.stringFor(result) + " (" + result + ")");
        this.call = call;
        this.result = result;
    }

    /** The driver function that failed, e.g. {@code cuMemAlloc}. */
    public String call() {
        return call;
    }

    /** Its {@code CUresult}. */
    public int result() {
        return result;
    }

    /**
     * Every driver call goes through this.
     *
     * @throws CudaCallException when {@code result} is not {@code CUDA_SUCCESS}
     */
    public static void check(String call, int result) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaCallException(call, result);
        }
    }
}
