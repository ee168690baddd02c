package dev.jgpt.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the jgpt command line in-process and captures what it printed, for end-to-end tests. */
public final class CliRunner {
  private CliRunner() {}

  /** Exit code, standard output and standard error of one run. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  public static Result run(String... args) {
    return runWithInput("", args);
  }

  /** Runs with {@code stdin} as standard input. Not thread-safe: it swaps System.in/out/err. */
  public static Result runWithInput(String stdin, String... args) {
    return runWithInput(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  /** Runs with the raw bytes {@code stdin} (any encoding) as standard input. */
  public static Result runWithInput(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Result r = runWithStreams(stdin, out, args);
    return new Result(r.exitCode(), out.toString(StandardCharsets.UTF_8), r.err());
  }

  /**
   * Runs with standard output going to {@code stdout} (a pipe that closes, say); the result's
   * out is empty. Not thread-safe: it swaps System.in/out/err.
   */
  public static synchronized Result runWithStreams(byte[] stdin, OutputStream stdout, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin));
      int code = Main.run(args);
      return new Result(code, "", err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }
}
