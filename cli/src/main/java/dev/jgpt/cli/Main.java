package dev.jgpt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code jgpt} command: parses the command line with picocli and runs a subcommand.
 *
 * <p>Exit codes: 0 success, 1 a user-facing error (bad file, bad data), 2 a usage error
 * (unknown flag, bad value), 130 interrupted. Errors are one line on stderr; {@code --debug}
 * adds the stack trace.
 */
@Command(
    name = "jgpt",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train small GPT-style language models on your own text, and look inside them.",
    subcommands = {
      TrainCommand.class,
      GenerateCommand.class,
      ScoreCommand.class,
      ReplCommand.class,
      PlotCommand.class,
      ServeCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      TokenizerCommand.class,
      BenchCommand.class,
      DevicesCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class Main implements Runnable {

  @Option(names = "--debug", description = "Print stack traces for errors.", scope = CommandLine.ScopeType.INHERIT)
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // `jgpt` alone: show what there is to do.
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this instead of main). */
  public static int run(String... args) {
    return execute(newCommandLine(), args);
  }

  /**
   * Runs {@code cl} on {@code args}. An OutOfMemoryError is an Error, which picocli's handlers
   * never see: it becomes the same kind of one-line error here.
   */
  static int execute(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError e) {
      return Errors.outOfMemory(cl, e);
    }
  }

  static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Main());
    TrainSettingOptions.addTo(cl.getSubcommands().get("train").getCommandSpec()); // before the converters below
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    FiniteNumbers.register(cl);
    cl.setParameterExceptionHandler(new Errors.ParameterErrorHandler());
    cl.setExecutionExceptionHandler(new Errors.ExecutionErrorHandler());
    return cl;
  }
}
