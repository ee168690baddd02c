package dev.jgpt.cli;

import dev.jgpt.cli.repl.PipeRepl;
import dev.jgpt.cli.repl.ReplSession;
import dev.jgpt.cli.repl.RunOptions;
import dev.jgpt.cli.repl.Style;
import dev.jgpt.cli.repl.TerminalRepl;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jgpt repl}: an interactive session with a trained model. On a terminal: JLine line
 * editing, history, completion and colours; from a pipe: plain text in and out, so scripts can
 * drive it ({@code printf ':score to be or not\n' | jgpt repl}). Exits 1 when a piped session had
 * errors.
 */
@Command(
    name = "repl",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Talk to a trained model: type text to continue it, and look at every next-token choice.",
        "Commands start with ':' (:help lists them)."},
    footer = {"", "Examples:", "  jgpt repl", "  jgpt repl --run runs/shakespeare --temperature 0.5",
        "  printf ':score To be, or not to be\\n' | jgpt repl"})
final class ReplCommand implements Callable<Integer> {
  @Option(names = "--plain", description = "No colours or line editing even on a terminal.")
  boolean plain;

  @Mixin RunOptions runOptions;
  @Mixin GenerateOptions sampling;

  @Override
  public Integer call() throws Exception {
    boolean terminal = !plain && System.console() != null && System.console().isTerminal();
    String run = null;
    RuntimeException noRun = null;
    try {
      run = runOptions.runDir().toString();
    } catch (RuntimeException e) {
      noRun = e; // the session says so in one line and goes on (:load RUN)
    }
    if (terminal) return TerminalRepl.run(run, noRun, sampling.settings(), runOptions);
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
    try (ReplSession session = new ReplSession(runOptions::open, out, Style.plain(), sampling.settings())) {
      if (run != null) session.loadInitial(run);
      else session.error(noRun);
      PipeRepl.run(session, System.in);
      out.flush();
      return session.errors() == 0 ? 0 : 1;
    }
  }
}
