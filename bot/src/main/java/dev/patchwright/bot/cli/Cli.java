package dev.patchwright.bot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The {@code patchwright} command line for everything but {@code serve} (which starts the Quarkus
 * application through {@code quarkus-run.jar}). Runs as plain Java: no server, no database.
 */
@Command(name = "patchwright", mixinStandardHelpOptions = true, version = "patchwright 0.1.0",
        description = "Autonomous pull requests, verified by your tests.",
        subcommands = {SolveCommand.class, PackCommand.class, EvalCommand.class, ModelServerCommand.class},
        footer = {"%n  serve    start the GitHub App (webhooks, jobs); see README.md",
                "  pack-server  status or stop the resident packer behind pack; see README.md"})
public final class Cli {

    public static void main(String... args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }

    /**
     * Runs a command line for a caller elsewhere, as {@link #main} would run it in the caller's own
     * process: the same parsing, messages and exit codes, with paths resolved against the caller's
     * directory and everything printed on the caller's streams.
     *
     * @param invocation the caller's working directory and streams (both streams given)
     * @param outCharset the charset of the caller's standard output, for picocli's messages
     * @param errCharset the charset of the caller's standard error
     * @param ansi       whether picocli colours its help and errors, as it would have decided in the caller
     * @param args       the arguments, the command first (e.g. {@code pack <dir> --out f})
     * @return the exit code
     */
    public static int execute(Invocation invocation, Charset outCharset, Charset errCharset, CommandLine.Help.Ansi ansi,
                              String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> type) throws Exception {
                return type == PackCommand.class ? (K) new PackCommand(invocation) : CommandLine.defaultFactory().create(type);
            }
        };
        CommandLine commandLine = new CommandLine(new Cli(), factory);
        // As picocli makes its own writers over System.out and System.err.
        commandLine.setOut(new PrintWriter(new BufferedWriter(new OutputStreamWriter(invocation.out(), outCharset)), true));
        commandLine.setErr(new PrintWriter(new BufferedWriter(new OutputStreamWriter(invocation.err(), errCharset)), true));
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(ansi));
        try {
            return commandLine.execute(args);
        } finally {
            commandLine.getOut().flush();
            commandLine.getErr().flush();
        }
    }
}
