package dev.patchwright.inference.engine.cuda;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static dev.patchwright.inference.engine.cuda.CudaCallException.check;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

/**
 * A CUDA device through the driver API: its primary context, made current on the calling thread
 * by {@link #bind()}; the kernel modules, loaded from the checked-in PTX with
 * {@code cuModuleLoadData} (compute_90 PTX on Hopper and newer, compute_80 on Ampere); memory;
 * and event timing. Every driver call is checked ({@link CudaCallException}).
 */
public final class CudaDevice implements AutoCloseable {

    private static final String PTX_FOLDER = "/dev/patchwright/inference/engine/cuda/";

    private final CUdevice device;
    private final CUcontext context;
    private final String name;
    private final int major;
    private final int minor;
    private final int multiprocessors;
    private final int sharedOptIn;
    private final long memoryBytes;
    private final Map<String, CudaModule> modules = new HashMap<>();

    private CudaDevice(CUdevice device, CUcontext context) {
        this.device = device;
        this.context = context;
        byte[] raw = new byte[256];
        check("cuDeviceGetName", cuDeviceGetName(raw, raw.length, device));
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        this.name = new String(raw, 0, end, StandardCharsets.US_ASCII);
        this.major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "compute capability major");
        this.minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "compute capability minor");
        this.multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "multiprocessor count");
        this.sharedOptIn = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, "shared memory opt-in");
        long[] bytes = new long[1];
        check("cuDeviceTotalMem", cuDeviceTotalMem(bytes, device));
        this.memoryBytes = bytes[0];
    }

    /**
     * Opens device {@code ordinal} and makes its primary context current on this thread.
     *
     * @throws CudaCallException naming the driver call that failed (no device, a bad ordinal)
     * @throws IllegalStateException when libcuda.so.1 cannot be loaded, or the device is older than compute capability 8.0
     */
    public static CudaDevice open(int ordinal) {
        try {
            JCudaDriver.setExceptionsEnabled(false);
            check("cuInit", cuInit(0));
        } catch (LinkageError e) {
            throw new IllegalStateException(CudaProbe.driverMissing(e), e);
        }
        CUdevice device = new CUdevice();
        check("cuDeviceGet(" + ordinal + ")", cuDeviceGet(device, ordinal));
        CUcontext context = new CUcontext();
        check("cuDevicePrimaryCtxRetain", cuDevicePrimaryCtxRetain(context, device));
        check("cuCtxSetCurrent", cuCtxSetCurrent(context));
        CudaDevice opened = new CudaDevice(device, context);
        if (opened.major < 8) {
            opened.close();
            throw new IllegalStateException(opened.name + " has compute capability " + opened.major + "." + opened.minor
                    + "; the GPU engine's bf16 kernels need 8.0 or newer");
        }
        return opened;
    }

    /** Makes this device's context current on the calling thread (each thread that launches must). */
    public void bind() {
        check("cuCtxSetCurrent", cuCtxSetCurrent(context));
    }

    public String name() {
        return name;
    }

    /** e.g. {@code 9.0}. */
    public String computeCapability() {
        return major + "." + minor;
    }

    public int multiprocessors() {
        return multiprocessors;
    }

    /** The most shared memory one block may ask for after opting in. */
    public int sharedMemoryOptIn() {
        return sharedOptIn;
    }

    public long memoryBytes() {
        return memoryBytes;
    }

    /** The resource of a kernel source's PTX for a device of compute capability {@code major}. */
    public static String ptxResource(String module, int major) {
        if (major < 8) {
            throw new IllegalArgumentException("no PTX for compute capability " + major + ".x: the kernels need 8.0 or newer");
        }
        return PTX_FOLDER + module + (major >= 9 ? ".ptx" : ".compute_80.ptx");
    }

    /**
     * The kernels of {@code src/main/cuda/NAME.cu}, loaded once.
     *
     * @throws IllegalStateException when the PTX resource is missing
     * @throws CudaCallException when the driver refuses it (for instance, a driver older than the PTX's ISA)
     */
    public synchronized CudaModule module(String module) {
        CudaModule loaded = modules.get(module);
        if (loaded != null) {
            return loaded;
        }
        String resource = ptxResource(module, major);
        byte[] ptx;
        try (InputStream in = CudaDevice.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + resource + " is missing: run inference/build-ptx.sh");
            }
            ptx = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
        CUmodule handle = new CUmodule();
        check("cuModuleLoadData(" + module + ")", cuModuleLoadData(handle, Arrays.copyOf(ptx, ptx.length + 1)));
        loaded = new CudaModule(module, handle);
        modules.put(module, loaded);
        return loaded;
    }

    /** {@code bytes} of device memory, uninitialised. */
    public DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device allocation must be > 0 bytes, found " + bytes);
        }
        CUdeviceptr pointer = new CUdeviceptr();
        check("cuMemAlloc(" + bytes + " bytes)", cuMemAlloc(pointer, bytes));
        return new DeviceBuffer(pointer, bytes, true);
    }

    /** Waits for all queued work; a kernel's fault shows here, named by this call. */
    public void synchronize() {
        check("cuCtxSynchronize", cuCtxSynchronize());
    }

    /** Milliseconds {@code work} takes on the device, timed with events on the default stream. */
    public float time(Runnable work) {
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        check("cuEventCreate", cuEventCreate(start, 0));
        check("cuEventCreate", cuEventCreate(stop, 0));
        try {
            check("cuEventRecord", cuEventRecord(start, null));
            work.run();
            check("cuEventRecord", cuEventRecord(stop, null));
            check("cuEventSynchronize", cuEventSynchronize(stop));
            float[] ms = new float[1];
            check("cuEventElapsedTime", cuEventElapsedTime(ms, start, stop));
            return ms[0];
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    private int attribute(int attribute, String what) {
        int[] value = new int[1];
        check("cuDeviceGetAttribute(" + what + ")", cuDeviceGetAttribute(value, attribute, device));
        return value[0];
    }

    @Override
    public synchronized void close() {
        for (CudaModule module : modules.values()) {
            cuModuleUnload(module.handle());
        }
        modules.clear();
        check("cuDevicePrimaryCtxRelease", cuDevicePrimaryCtxRelease(device));
    }

    @Override
    public String toString() {
        return name + " (compute " + computeCapability() + ", " + multiprocessors + " SMs, " + (memoryBytes >> 20) + " MiB)";
    }
}
