package dev.patchwright.bot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code patchwright} command line for everything but {@code serve} (which starts the Quarkus
 * application through {@code quarkus-run.jar}). Runs as plain Java: no server, no database.
 */
@Command(name = "patchwright", mixinStandardHelpOptions = true, version = "patchwright 0.1.0",
        description = "Autonomous pull requests, verified by your tests.",
        subcommands = {SolveCommand.class, PackCommand.class, EvalCommand.class, ModelServerCommand.class},
        footer = "%n  serve    start the GitHub App (webhooks, jobs); see README.md")
public final class Cli {

    public static void main(String... args) {
        System.exit(new CommandLine(new Cli()).execute(args));
    }
}
