package dev.patchwright.inference.engine;

import dev.patchwright.inference.engine.cuda.CudaProbe;

import java.util.Locale;
import java.util.function.Supplier;

/**
 * Where the engine runs, as an operator asks for it ({@code --device cuda|cpu|auto}), and the
 * choice made from what the machine has: a CUDA device found through the driver runs the GPU
 * engine ({@link dev.patchwright.inference.engine.cuda.CudaGenerator}); without one, {@code auto}
 * runs the CPU engine and says why.
 */
public enum Device {
    CPU, CUDA, AUTO;

    /**
     * {@code cpu}, {@code cuda} or {@code auto}, in any case.
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static Device parse(String value) {
        if (value != null) {
            for (Device device : values()) {
                if (device.name().equalsIgnoreCase(value.trim())) {
                    return device;
                }
            }
        }
        throw new IllegalArgumentException("device must be cpu, cuda or auto, found '" + value + "'");
    }

    /** The device an engine runs on, and the one line that says why. */
    public record Choice(Device device, String reason) {
    }

    /**
     * What runs for this request: {@code cpu} runs on the CPU without looking for a GPU;
     * {@code auto} looks, and falls back to the CPU saying why; {@code cuda} insists.
     *
     * @param probe looks for a CUDA device; called at most once, and not for {@code cpu}
     * @throws IllegalStateException for {@code cuda} when no CUDA device answers, naming why
     */
    public Choice choose(Supplier<CudaProbe.Result> probe) {
        if (this == CPU) {
            return new Choice(CPU, "--device cpu: the CPU engine");
        }
        CudaProbe.Result found = probe.get();
        if (found.present()) {
            return new Choice(CUDA, "--device " + this + ": found " + found.description() + "; using the GPU engine");
        }
        String none = "no CUDA device: " + found.description();
        if (this == CUDA) {
            throw new IllegalStateException("--device cuda: " + none);
        }
        return new Choice(CPU, "--device auto: " + none + "; using the CPU engine");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
