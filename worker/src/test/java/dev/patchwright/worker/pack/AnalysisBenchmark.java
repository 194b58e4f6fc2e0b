package dev.patchwright.worker.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Single-thread time of the per-file work besides token counting, over every file of a directory
 * read into memory first: the credential scan (every pack), and the declarations, imports and task
 * terms a windowed pack reads from each file. Not run by the test suite; see {@code bench/README.md}.
 * Arguments: the directory, the task text, rounds (default 5; the first ones warm the JIT up).
 */
public final class AnalysisBenchmark {

    private AnalysisBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Relevance relevance = new Relevance(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        List<String[]> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).startsWith(".git")).sorted()::iterator) {
                files.add(new String[] {root.relativize(file).toString(),
                        new String(Files.readAllBytes(file), StandardCharsets.UTF_8)});
            }
        }
        long chars = files.stream().mapToLong(f -> f[1].length()).sum();
        System.out.printf("%d files, %d chars%n", files.size(), chars);
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            int findings = 0;
            for (String[] f : files) {
                findings += SecretScanner.scan(f[1]).findings().size();
            }
            long t1 = System.nanoTime();
            int declarations = 0;
            for (String[] f : files) {
                declarations += Declarations.of(f[0], f[1]).size();
            }
            long t2 = System.nanoTime();
            int imports = 0;
            for (String[] f : files) {
                imports += Imports.of(f[0], f[1]).size();
            }
            long t3 = System.nanoTime();
            long terms = 0;
            for (String[] f : files) {
                terms += relevance.terms(f[0], f[1]).length();
            }
            long t4 = System.nanoTime();
            System.out.printf("round %d: scan %.3f s (%.1f ns/char, %d findings); declarations %.3f s (%d);"
                            + " imports %.3f s (%d suffixes); terms %.3f s (%d)%n", round, (t1 - t0) / 1e9,
                    (t1 - t0) / (double) chars, findings, (t2 - t1) / 1e9, declarations, (t3 - t2) / 1e9, imports,
                    (t4 - t3) / 1e9, terms);
        }
    }
}
