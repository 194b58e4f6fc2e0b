package dev.patchwright.inference.engine.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checked-in PTX must be what {@code build-ptx.sh} makes of today's CUDA sources: every
 * source's recorded SHA-256 is checked everywhere; where nvcc of the recorded release exists, the
 * sources are compiled again and compared byte for byte.
 */
class PtxFreshnessTest {

    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path PTX = Path.of("src/main/resources/dev/patchwright/inference/engine/cuda");

    @Test
    void everyPtxRecordsTheHashOfItsSourceAsItIsToday() throws IOException {
        List<Path> sources = sources();
        assertThat(sources).as("CUDA sources in " + SOURCES.toAbsolutePath()).isNotEmpty();
        assertThat(sources.stream().map(p -> p.getFileName().toString().replace(".cu", "")).toList())
                .as("CudaKernelNames.MODULES lists every source").isEqualTo(CudaKernelNames.MODULES);
        for (Path source : sources) {
            String name = source.getFileName().toString().replace(".cu", "");
            for (String file : List.of(name + ".ptx", name + ".compute_80.ptx")) {
                Path ptx = PTX.resolve(file);
                assertThat(ptx).as(file + " (run inference/build-ptx.sh)").exists();
                PtxHeader header = PtxHeader.read(Files.readString(ptx));
                assertThat(header.source()).as(file + ": its source").isEqualTo(name + ".cu");
                assertThat(header.sha256())
                        .as(file + " was built from another version of " + name + ".cu: run inference/build-ptx.sh")
                        .isEqualTo(PtxHeader.sha256(Files.readAllBytes(source)));
            }
        }
        try (Stream<Path> files = Files.list(PTX)) {
            for (Path ptx : files.toList()) {
                String base = ptx.getFileName().toString().replace(".compute_80.ptx", "").replace(".ptx", "");
                assertThat(SOURCES.resolve(base + ".cu")).as(ptx + " has no source left").exists();
            }
        }
    }

    @Test
    void recompilingTheSourcesGivesTheCheckedInPtx(@TempDir Path out) throws Exception {
        Path nvcc = Nvcc.find();
        String why = nvcc == null ? "no nvcc on the PATH or in /usr/local/cuda/bin" : null;
        String release = nvcc == null ? null : Nvcc.release(nvcc);
        String recorded = PtxHeader.read(Files.readString(PTX.resolve("rmsnorm.ptx"))).nvcc();
        if (why == null && !recorded.equals(release)) {
            why = "nvcc here is '" + release + "', the PTX was built with '" + recorded + "'";
        }
        if (why != null) {
            System.err.println("PtxFreshnessTest: SKIPPED the recompile check: " + why + " (the hash check still ran)");
        }
        Assumptions.assumeTrue(why == null, why);
        ProcessBuilder builder = new ProcessBuilder("bash", "build-ptx.sh", nvcc.toString()).redirectErrorStream(true)
                .redirectOutput(out.resolve("build.log").toFile());
        builder.environment().put("PTX_OUT", out.resolve("ptx").toString());
        Process build = builder.start();
        assertThat(build.waitFor(5, TimeUnit.MINUTES)).as("build-ptx.sh finished within 5 minutes").isTrue();
        assertThat(build.exitValue()).as("build-ptx.sh: " + Files.readString(out.resolve("build.log"))).isZero();
        List<String> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(out.resolve("ptx"))) {
            for (Path fresh : files.toList()) {
                Path checkedIn = PTX.resolve(fresh.getFileName());
                if (!Files.exists(checkedIn) || Files.mismatch(fresh, checkedIn) != -1) {
                    stale.add(fresh.getFileName().toString());
                }
            }
        }
        assertThat(stale).as("PTX that differs from a fresh build: run inference/build-ptx.sh").isEmpty();
    }

    /** What the driver does at cuModuleLoadData: assemble the PTX for the device; ptxas does the same here. */
    @Test
    void everyPtxAssemblesForItsTarget(@TempDir Path out) throws Exception {
        Path nvcc = Nvcc.find();
        Path ptxas = nvcc == null ? null : nvcc.resolveSibling("ptxas");
        if (ptxas == null || !Files.isExecutable(ptxas)) {
            System.err.println("PtxFreshnessTest: SKIPPED the assembly check: no ptxas beside an nvcc");
        }
        Assumptions.assumeTrue(ptxas != null && Files.isExecutable(ptxas), "no ptxas beside an nvcc");
        List<String> failed = new ArrayList<>();
        try (Stream<Path> files = Files.list(PTX)) {
            for (Path ptx : files.sorted().toList()) {
                String target = PtxHeader.read(Files.readString(ptx)).target().replace("compute_", "sm_");
                Process p = new ProcessBuilder(ptxas.toString(), "-arch=" + target, ptx.toString(), "-o",
                        out.resolve("module.cubin").toString()).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    failed.add(ptx.getFileName() + " for " + target + ": " + log.strip());
                }
            }
        }
        assertThat(failed).as("PTX that ptxas refuses").isEmpty();
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }
}
