package dev.jgpt.cli.repl;

import dev.jgpt.transformer.SamplerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The REPL on a terminal: JLine line editing, persistent history, tab completion, multi-line
 * input (end a line with a backslash), colours. Ctrl-C at the prompt clears the line and during a
 * generation stops it; Ctrl-D or :quit leaves.
 */
public final class TerminalRepl {
  private static final String PROMPT = "jgpt> ";

  private TerminalRepl() {}

  /** Runs a session on the system terminal; {@code start} loads the first model. Returns the exit code. */
  public static int run(Consumer<ReplSession> start, SamplerSettings settings, RunOptions runs) throws IOException {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build();
        ReplSession session = new ReplSession(runs::open, terminal.writer(), Style.terminal(), settings)) {
      terminal.writer().println(session.style().dim("jgpt repl: type text to continue it, :help for commands, Ctrl-D to leave"));
      terminal.flush();
      start.accept(session);
      if (session.modelDescription() != null) terminal.writer().println(session.style().dim(session.modelDescription()));
      DefaultParser parser = new DefaultParser();
      parser.setEofOnEscapedNewLine(true);
      parser.setEofOnUnclosedQuote(false);
      LineReader reader = LineReaderBuilder.builder()
          .terminal(terminal)
          .appName("jgpt")
          .parser(parser)
          .completer(new ReplCompleter(Path.of("runs")))
          .variable(LineReader.HISTORY_FILE, historyFile())
          .variable(LineReader.SECONDARY_PROMPT_PATTERN, ".... ")
          .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' and '\' in text are text
          .build();
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
