package dev.patchwright.inference.engine.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds nvcc the way build-ptx.sh does, and reads its release. */
final class Nvcc {

    private Nvcc() {
    }

    /** nvcc on the PATH, else /usr/local/cuda/bin/nvcc; {@code null} when neither exists. */
    static Path find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, "nvcc");
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        Path fallback = Path.of("/usr/local/cuda/bin/nvcc");
        return Files.isExecutable(fallback) ? fallback : null;
    }

    /** The {@code release 13.0, V13.0.88} part of {@code nvcc --version}, or what it printed instead. */
    static String release(Path nvcc) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(nvcc.toString(), "--version").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Matcher m = Pattern.compile("release [0-9.]+, V[0-9.]+").matcher(text);
        return m.find() ? m.group() : text.strip();
    }
}
