package dev.patchwright.bot.cli;

import dev.patchwright.worker.solve.Publisher;
import dev.patchwright.worker.solve.PublishException;
import dev.patchwright.worker.solve.SolveReport;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Publishes a local solve as files: {@code patch.diff} (when solved) and {@code report.md}. */
final class LocalReport implements Publisher {

    private final Path outDir;

    LocalReport(Path outDir) {
        this.outDir = outDir;
    }

    @Override
    public String publishSolution(SolveRequest request, SolveResult result) throws PublishException {
        write("patch.diff", result.winner().diff());
        return write("report.md", "# " + request.issueTitle() + "\n\n" + SolveReport.pullRequestBody(request, result));
    }

    @Override
    public String reportFailure(SolveRequest request, SolveResult result) throws PublishException {
        return write("report.md", "# " + request.issueTitle() + "\n\n" + SolveReport.failureText(request, result));
    }

    private String write(String name, String text) throws PublishException {
        try {
            Files.createDirectories(outDir);
            Path file = outDir.resolve(name);
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file.toString();
        } catch (IOException e) {
            throw new PublishException("cannot write " + outDir.resolve(name) + ": " + e.getMessage(), false, e);
        }
    }
}
