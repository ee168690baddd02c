package dev.jgpt.cli;

import dev.jgpt.kernels.Backends;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Checks the --backend and --device flags that train, generate, score and repl share: a bad value is a usage error (exit 2). */
public final class BackendFlag {
  private BackendFlag() {}

  /** {@code value} in lower case when it is one of {@link Backends#NAMES}; else a usage error naming them. */
  public static String name(CommandSpec command, String value) {
    String name = value.strip().toLowerCase(Locale.ROOT);
    if (!Backends.NAMES.contains(name)) {
      throw new ParameterException(command.commandLine(), "--backend " + value + " is not a backend; use one of "
          + String.join(", ", Backends.NAMES));
    }
    return name;
  }

  /** {@code value} when it is not negative; the upper bound is checked against the backend's devices when it opens. */
  public static int device(CommandSpec command, int value) {
    if (value < 0) {
      throw new ParameterException(command.commandLine(), "--device must be 0 or more (see `jgpt devices`), got " + value);
    }
    return value;
  }
}
