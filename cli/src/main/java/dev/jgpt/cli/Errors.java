package dev.jgpt.cli;

import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns exceptions into the one-line errors users see.
 *
 * <p>Usage errors (unknown flag, bad value) exit 2 and name the flag and what it accepts.
 * Errors while running (missing file, corrupt checkpoint...) exit 1 with the exception's message,
 * which every module writes as "what is wrong; what to do". {@code --debug} adds the stack trace.
 */
final class Errors {
  private Errors() {}

  static final int USER_ERROR = 1;
  static final int USAGE_ERROR = 2;
  static final int INTERRUPTED = 130;

  static boolean debugRequested(CommandLine cl) {
    CommandLine root = cl;
    while (root.getParent() != null) root = root.getParent();
    Object cmd = root.getCommand();
    if (cmd instanceof Main m && m.debug) return true;
    // A parse error happens before options are bound: look at the raw arguments.
    String[] raw = root.getParseResult() == null ? new String[0]
        : root.getParseResult().originalArgs().toArray(new String[0]);
    return Arrays.asList(raw).contains("--debug");
  }

  static final class ParameterErrorHandler implements CommandLine.IParameterExceptionHandler {
    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String message = ex.getMessage();
      ArgSpec arg = ex.getArgSpec();
      if (arg instanceof OptionSpec opt && opt.completionCandidates() != null) {
        StringBuilder values = new StringBuilder();
        for (String c : opt.completionCandidates()) values.append(values.isEmpty() ? "" : ", ").append(c);
        if (!values.isEmpty() && !message.contains(values)) message += " (accepted: " + values + ")";
      }
      err.println(prefix(cl) + message + "; see '" + qualified(cl) + " --help'");
      if (Arrays.asList(args).contains("--debug")) ex.printStackTrace(err);
      err.flush();
      return USAGE_ERROR;
    }
  }

  static final class ExecutionErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
      PrintWriter err = cl.getErr();
      if (ex instanceof CtrlC.StoppedException stopped) {
        err.println(prefix(cl) + stopped.getMessage());
        err.flush();
        stopped.reported(); // only now may a Ctrl-C shutdown hook let the JVM halt
        return INTERRUPTED;
      }
      if (ex instanceof CommandLine.ParameterException pe) {
        // Raised by a command's own validation of its options: a usage error.
        err.println(prefix(cl) + pe.getMessage());
        if (debugRequested(cl)) ex.printStackTrace(err);
        err.flush();
        return USAGE_ERROR;
      }
      err.println(prefix(cl) + oneLine(ex));
      if (debugRequested(cl)) ex.printStackTrace(err);
      else if (!(ex instanceof UserException) && !isExpected(ex)) err.println("(run again with --debug for the stack trace)");
      err.flush();
      return ex instanceof InterruptedException ? INTERRUPTED : USER_ERROR;
    }
  }

  /** A check that may throw what its caller throws (an IOException reading --config). */
  @FunctionalInterface
  interface Check<T, E extends Exception> {
    T call() throws E;
  }

  /**
   * {@code check.call()}, its IllegalArgumentException turned into a usage error (exit 2) of
   * {@code spec}'s command: for flag values that a module checks (TrainConfig, Presets...).
   */
  static <T, E extends Exception> T usage(CommandLine.Model.CommandSpec spec, Check<T, E> check) throws E {
    try {
      return check.call();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /**
   * Prints the one line for an OutOfMemoryError (the stack trace only with --debug) under the
   * name of the command that ran out, and returns the exit code of a runtime failure.
   */
  static int outOfMemory(CommandLine root, OutOfMemoryError e) {
    CommandLine cl = root;
    for (CommandLine.ParseResult p = root.getParseResult(); p != null && p.hasSubcommand(); p = p.subcommand()) {
      cl = p.subcommand().commandSpec().commandLine();
    }
    PrintWriter err = cl.getErr();
    err.println(prefix(cl) + MemoryCheck.outOfMemory(e, HeapBudget.current()));
    if (debugRequested(cl)) e.printStackTrace(err);
    err.flush();
    return USER_ERROR;
  }

  /** Exceptions whose message is written for users; anything else is a bug and says so. */
  static boolean isExpected(Throwable ex) {
    return ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException
        || ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
        || ex instanceof InterruptedException;
  }

  static String oneLine(Throwable ex) {
    String m = ex.getMessage();
    if (ex instanceof java.nio.file.NoSuchFileException) m = "no such file: " + m;
    else if (ex instanceof java.nio.file.AccessDeniedException) m = "permission denied: " + m;
    else if (ex instanceof java.nio.file.FileSystemException fse && fse.getReason() != null)
      m = fse.getFile() + ": " + fse.getReason();
    if (m == null || m.isBlank()) m = ex.getClass().getSimpleName();
    if (!isExpected(ex) && !(ex instanceof UserException)) m = "internal error: " + ex.getClass().getSimpleName() + ": " + m;
    return m.replace('\n', ' ').strip();
  }

  /** "jgpt tokenizer train" for a subcommand, "jgpt" for the root. */
  static String qualified(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName(" ");
  }

  static String prefix(CommandLine cl) {
    return qualified(cl) + ": ";
  }
}
