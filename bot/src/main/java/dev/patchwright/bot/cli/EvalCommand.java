package dev.patchwright.bot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code patchwright eval}: evaluations of a model backend; each eval is a subcommand. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model backend.",
        subcommands = {HashHopCommand.class, BacktestCommand.class})
final class EvalCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an eval to run: hashhop, backtest");
    }
}
