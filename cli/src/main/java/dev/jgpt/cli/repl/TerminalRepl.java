package dev.jgpt.cli.repl;

import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.interop.LoadedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The REPL on a terminal: JLine line editing, persistent history, tab completion, multi-line
 * input (end a line with a backslash), colours. Ctrl-C at the prompt clears the line and during a
 * generation stops it; Ctrl-D or :quit leaves.
 *
 * <p>Start-up is kept short: the model loads on another thread while the terminal is set up,
 * and warms up (JIT) while the first line is typed.
 */
public final class TerminalRepl {
  private static final String PROMPT = "jgpt> ";
  /** How long the model may warm up in the background before the first command. */
  private static final long WARM_UP_NANOS = 1_500_000_000L;
  /** JNI first: it opens a terminal in about half the time of the FFM provider. */
  private static final String PROVIDERS = "jni,exec,ffm";

  private TerminalRepl() {}

  /**
   * Runs a session on the system terminal with the run {@code initialRun} (null: none, and
   * {@code noRun} says why). Returns the exit code.
   */
  public static int run(String initialRun, RuntimeException noRun, SamplerSettings settings, RunOptions runs)
      throws IOException {
    CompletableFuture<LoadedModel> preload = initialRun == null ? null : CompletableFuture.supplyAsync(() -> {
      try {
        return runs.open(initialRun);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    TerminalBuilder builder = TerminalBuilder.builder().system(true);
    if (System.getProperty(TerminalBuilder.PROP_PROVIDERS) == null) builder.providers(PROVIDERS);
    try (Terminal terminal = builder.build();
        ReplSession session = new ReplSession(runs::open, terminal.writer(), Style.terminal(), settings)) {
      Style style = session.style();
      session.setWidth(terminal::getWidth);
      terminal.writer().println(style.dim("jgpt repl: type text and the model continues it, :help for commands, Ctrl-D to leave"));
      LineReader reader = lineReader(terminal, historyFile());
      if (preload != null) session.loadInitial(initialRun, run -> joinPreload(preload));
      else session.error(noRun);
      if (session.modelDescription() != null) terminal.writer().println(style.dim(session.modelDescription()));
      terminal.flush();
      session.warmUpInBackground(WARM_UP_NANOS);
      while (!session.quitRequested()) {
        String line;
        try {
          line = reader.readLine(PROMPT);
        } catch (UserInterruptException e) {
          continue; // Ctrl-C at the prompt: drop the line
        } catch (EndOfFileException e) {
          break;
        }
        line = line.replace("\\\n", "\n");
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> session.cancel());
        try {
          session.handle(line);
        } finally {
          terminal.handle(Terminal.Signal.INT, previous);
        }
        terminal.flush();
      }
      return 0;
    }
  }

  /** The REPL's line reader on {@code terminal}, keeping its history in {@code historyFile}. */
  static LineReader lineReader(Terminal terminal, Path historyFile) {
    DefaultParser parser = new DefaultParser();
    parser.setEofOnEscapedNewLine(true); // a trailing backslash continues the input on the next line
    parser.setEofOnUnclosedQuote(false); // quotes in text are text
    PasteFriendlyLineReader reader = new PasteFriendlyLineReader(terminal, "jgpt");
    reader.setParser(parser);
    reader.setCompleter(new ReplCompleter(Path.of("runs")));
    reader.setVariable(LineReader.HISTORY_FILE, historyFile);
    reader.setVariable(LineReader.SECONDARY_PROMPT_PATTERN, ".... ");
    reader.option(LineReader.Option.DISABLE_EVENT_EXPANSION, true); // '!' and '\' in text are text
    reader.option(LineReader.Option.BRACKETED_PASTE, true); // a paste arrives as one insert where the terminal can
    return reader;
  }

  private static LoadedModel joinPreload(CompletableFuture<LoadedModel> preload) throws IOException {
    try {
      return preload.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw e;
    }
  }

  /** $XDG_STATE_HOME/jgpt/repl_history, else ~/.local/state/jgpt/repl_history. */
  static Path historyFile() {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
    Path file = base.resolve("jgpt").resolve("repl_history");
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      // no history then; the REPL works without it
    }
    return file;
  }
}
