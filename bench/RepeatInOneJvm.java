import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs one {@code patchwright pack} command line several times in one JVM, as the bot's worker and the
 * resident packer do, and prints each run's wall and CPU time: what a warm process pays, without a JVM
 * start or JIT warm-up after the first runs. Run with the application's class path (see README.md):
 *
 * <pre>
 *   java -Xmx256m -XX:+UseParallelGC -cp "$app/app/*:$app/lib/main/*:$app/lib/boot/*" bench/RepeatInOneJvm.java \
 *       MODE RUNS pack REPO --out OUT.xml --stats=json [--cache-dir DIR]
 * </pre>
 *
 * MODE: {@code same} packs the same tree each time; {@code changed} appends a line to five files of
 * REPO before each run (so give it a copy you can change) and waits 2.1 s first, as between two jobs;
 * {@code fresh} deletes OUT.xml and the --cache-dir before each run (a first pack in a warm JVM).
 */
public final class RepeatInOneJvm {

    public static void main(String... args) throws Exception {
        String mode = args[0];
        int runs = Integer.parseInt(args[1]);
        String[] command = Arrays.copyOfRange(args, 2, args.length);
        Path repo = Path.of(command[1]);
        Path out = Path.of(valueOf(command, "--out"));
        String cacheDir = valueOf(command, "--cache-dir");
        List<Path> changing = new ArrayList<>();
        if (mode.equals("changed")) {
            try (Stream<Path> files = Files.walk(repo)) {
                files.filter(p -> p.toString().endsWith(".java") && !p.toString().contains("/.git/")).sorted()
                        .limit(5).forEach(changing::add);
            }
        }
        Class<?> cli = Class.forName("dev.patchwright.bot.cli.Cli");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        PrintStream stdout = System.out;
        for (int run = 0; run < runs; run++) {
            switch (mode) {
                case "same" -> { }
                case "changed" -> {
                    for (Path file : changing) {
                        Files.writeString(file, "// changed " + run + "\n", StandardOpenOption.APPEND);
                    }
                    Thread.sleep(2100);
                }
                case "fresh" -> {
                    Files.deleteIfExists(out);
                    if (cacheDir != null) {
                        deleteTree(Path.of(cacheDir));
                    }
                }
                default -> throw new IllegalArgumentException("MODE is same, changed or fresh, not " + mode);
            }
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            long cpu = os.getProcessCpuTime();
            long wall = System.nanoTime();
            Object picocli = Class.forName("picocli.CommandLine").getConstructor(Object.class)
                    .newInstance(cli.getConstructor().newInstance());
            int exit = (int) picocli.getClass().getMethod("execute", String[].class).invoke(picocli, (Object) command);
            double seconds = (System.nanoTime() - wall) / 1e9;
            double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
            System.setOut(stdout);
            System.out.printf("run %d: exit %d, %.3f s wall, %.3f s CPU%n", run, exit, seconds, cpuSeconds);
        }
    }

    private static String valueOf(String[] command, String option) {
        for (int i = 0; i < command.length - 1; i++) {
            if (command[i].equals(option)) {
                return command[i + 1];
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
