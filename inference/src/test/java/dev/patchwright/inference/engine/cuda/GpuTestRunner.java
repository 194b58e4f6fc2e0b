package dev.patchwright.inference.engine.cuda;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Runs the GPU tests (and the plans they rely on) where there is Java but no Maven: a device
 * machine. Exit 0 when every test passed and none was skipped; 1 otherwise.
 */
public final class GpuTestRunner {

    public static void main(String[] args) throws Exception {
        String[] classes = args.length > 0 ? args : new String[] {"dev.patchwright.inference.engine.paged.AttentionPlanTest",
                "dev.patchwright.inference.engine.paged.PrefixBlockCacheTest", "dev.patchwright.inference.engine.cuda.CudaKernelsIT",
                "dev.patchwright.inference.engine.CudaEngineIT", "dev.patchwright.inference.engine.CudaPrefixReuseIT",
                "dev.patchwright.inference.engine.CudaGraphIT",
                "dev.patchwright.inference.server.ModelServerGpuIT"};
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String name : classes) {
            request.selectors(selectClass(Class.forName(name)));
        }
        LauncherDiscoveryRequest built = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(built, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 30);
        summary.printTo(out);
        out.printf("GPU tests: %d passed, %d failed, %d skipped%n", summary.getTestsSucceededCount(),
                summary.getTotalFailureCount(), summary.getTestsSkippedCount() + summary.getTestsAbortedCount());
        System.exit(summary.getTotalFailureCount() == 0 && summary.getTestsAbortedCount() == 0 && summary.getTestsSkippedCount() == 0 ? 0 : 1);
    }
}
