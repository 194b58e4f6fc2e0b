package dev.patchwright.inference.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import static dev.patchwright.inference.engine.cuda.CudaCallException.check;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

/**
 * Device memory from {@code cuMemAlloc}, or a view into part of it. Copies are synchronous
 * (they wait for earlier work on the context). Closing the owner frees the memory; closing a
 * view does nothing.
 */
public final class DeviceBuffer implements AutoCloseable {

    private final CUdeviceptr pointer;
    private final long bytes;
    private final boolean owner;
    private boolean closed;

    DeviceBuffer(CUdeviceptr pointer, long bytes, boolean owner) {
        this.pointer = pointer;
        this.bytes = bytes;
        this.owner = owner;
    }

    /** The device address, for kernel arguments. */
    public CUdeviceptr pointer() {
        return pointer;
    }

    public long bytes() {
        return bytes;
    }

    /**
     * The {@code length} bytes from {@code offset}, as a view that shares this memory.
     *
     * @throws IndexOutOfBoundsException when the range leaves the buffer
     */
    public DeviceBuffer view(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > bytes) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + length) + ") of a " + bytes + "-byte buffer");
        }
        return new DeviceBuffer(pointer.withByteOffset(offset), length, false);
    }

    public DeviceBuffer put(float[] data) {
        return put(Pointer.to(data), (long) data.length * Float.BYTES);
    }

    public DeviceBuffer put(int[] data) {
        return put(Pointer.to(data), (long) data.length * Integer.BYTES);
    }

    public DeviceBuffer put(short[] data) {
        return put(Pointer.to(data), (long) data.length * Short.BYTES);
    }

    public DeviceBuffer put(double[] data) {
        return put(Pointer.to(data), (long) data.length * Double.BYTES);
    }

    /** Copies the buffer's first {@code out.length} floats to the host. */
    public float[] get(float[] out) {
        get(Pointer.to(out), (long) out.length * Float.BYTES);
        return out;
    }

    public int[] get(int[] out) {
        get(Pointer.to(out), (long) out.length * Integer.BYTES);
        return out;
    }

    public short[] get(short[] out) {
        get(Pointer.to(out), (long) out.length * Short.BYTES);
        return out;
    }

    /** Copies the first {@code length} bytes of {@code source} to the start of this buffer, on the device. */
    public DeviceBuffer copyFrom(DeviceBuffer source, long length) {
        fits(length);
        if (length > source.bytes) {
            throw new IndexOutOfBoundsException(length + " bytes are more than the " + source.bytes + "-byte source holds");
        }
        check("cuMemcpyDtoD", cuMemcpyDtoD(pointer, source.pointer, length));
        return this;
    }

    /** Sets every 32-bit word to {@code bits}: NaN ({@code 0x7fc00000}) poisons a float buffer. */
    public DeviceBuffer fill(int bits) {
        check("cuMemsetD32", cuMemsetD32(pointer, bits, bytes / 4));
        return this;
    }

    private DeviceBuffer put(Pointer host, long length) {
        fits(length);
        check("cuMemcpyHtoD", cuMemcpyHtoD(pointer, host, length));
        return this;
    }

    private void get(Pointer host, long length) {
        fits(length);
        check("cuMemcpyDtoH", cuMemcpyDtoH(host, pointer, length));
    }

    private void fits(long length) {
        if (closed) {
            throw new IllegalStateException("device buffer already freed");
        }
        if (length > bytes) {
            throw new IndexOutOfBoundsException(length + " bytes do not fit a " + bytes + "-byte device buffer");
        }
    }

    @Override
    public void close() {
        if (owner && !closed) {
            closed = true;
            check("cuMemFree", cuMemFree(pointer));
        }
    }
}
