package dev.patchwright.inference.engine.cuda;

import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import static dev.patchwright.inference.engine.cuda.CudaCallException.check;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuInit;

/**
 * Looks for a CUDA device through the driver API (JCuda; at run time it needs only the driver's
 * {@code libcuda.so.1}). Every driver call's result is checked; a failure becomes the reason no
 * device is usable, naming the call.
 */
public final class CudaProbe {

    private CudaProbe() {
    }

    /**
     * What the probe found.
     *
     * @param present whether at least one device answered
     * @param devices how many devices the driver reports
     * @param description the first device's name and memory when present, else why none is usable
     */
    public record Result(boolean present, int devices, String description) {
    }

    /** Initialises the driver and describes device 0; never throws. */
    public static Result probe() {
        try {
            JCudaDriver.setExceptionsEnabled(false);
            check("cuInit", cuInit(0));
            int[] count = new int[1];
            check("cuDeviceGetCount", cuDeviceGetCount(count));
            if (count[0] == 0) {
                return new Result(false, 0, "the driver reports no devices");
            }
            CUdevice device = new CUdevice();
            check("cuDeviceGet", cuDeviceGet(device, 0));
            byte[] name = new byte[256];
            check("cuDeviceGetName", cuDeviceGetName(name, name.length, device));
            long[] bytes = new long[1];
            check("cuDeviceTotalMem", cuDeviceTotalMem(bytes, device));
            int end = 0;
            while (end < name.length && name[end] != 0) {
                end++;
            }
            return new Result(true, count[0], new String(name, 0, end, java.nio.charset.StandardCharsets.US_ASCII)
                    + " (" + (bytes[0] >> 20) + " MiB" + (count[0] > 1 ? ", 1 of " + count[0] + " devices" : "") + ")");
        } catch (CudaException | CudaCallException e) {
            return new Result(false, 0, e.getMessage());
        } catch (LinkageError e) {
            return new Result(false, 0, driverMissing(e));
        }
    }

    /** Why no device can be used when JCuda's native library does not link. */
    static String driverMissing(LinkageError e) {
        // JCuda's native library links against libcuda.so.1, which only a machine with the driver has.
        return "the CUDA driver library (libcuda.so.1) cannot be loaded: "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }
}
