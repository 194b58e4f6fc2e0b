package dev.patchwright.inference.engine.cuda;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;

import static dev.patchwright.inference.engine.cuda.CudaCallException.check;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

/**
 * Kernel launches recorded once by stream capture and replayed with one driver call: the launches
 * keep the pointers and arguments they were captured with, so everything that changes between
 * replays must be read by the kernels from device memory filled before {@link #launch}. Every
 * driver call is checked and a failure names it.
 */
public final class CudaGraph implements AutoCloseable {

    private final CUgraphExec exec;
    private boolean closed;

    private CudaGraph(CUgraphExec exec) {
        this.exec = exec;
    }

    /**
     * Records what {@code launches} queues on {@code stream} (only kernel launches: no copy, no
     * allocation, no synchronisation) and instantiates it.
     *
     * @throws CudaCallException naming the call that failed; the stream is out of capture again
     */
    public static CudaGraph capture(CUstream stream, Runnable launches) {
        check("cuStreamBeginCapture", cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
        CUgraph graph = new CUgraph();
        try {
            launches.run();
        } catch (RuntimeException e) {
            if (cuStreamEndCapture(stream, graph) == 0) { // ends the capture; the partial graph is dropped
                cuGraphDestroy(graph);
            }
            throw e;
        }
        check("cuStreamEndCapture", cuStreamEndCapture(stream, graph));
        try {
            CUgraphExec exec = new CUgraphExec();
            check("cuGraphInstantiate", cuGraphInstantiate(exec, graph, 0));
            return new CudaGraph(exec);
        } finally {
            check("cuGraphDestroy", cuGraphDestroy(graph));
        }
    }

    /** Queues the recorded launches on {@code stream}. */
    public void launch(CUstream stream) {
        if (closed) {
            throw new IllegalStateException("CUDA graph already destroyed");
        }
        check("cuGraphLaunch", cuGraphLaunch(exec, stream));
    }

    /** Destroys the instantiated graph; closing twice does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            check("cuGraphExecDestroy", cuGraphExecDestroy(exec));
        }
    }
}
