package dev.jgpt.cli.repl;

import static dev.jgpt.cli.repl.ReplArguments.integer;
import static dev.jgpt.cli.repl.ReplArguments.required;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The REPL's commands, one entry each: what :help and tab completion show, how the command goes
 * into a saved script, and what it does. {@link ReplSession} dispatches through this table.
 */
public final class ReplCommands {
  private ReplCommands() {}

  /** What a command does with its argument (the text after the command's name and one space). */
  @FunctionalInterface
  public interface Handler {
    void run(ReplSession session, String arg) throws IOException;
  }

  /** How a command line goes into the script {@code :save} writes. */
  public enum Script {
    /** as typed */
    AS_TYPED,
    /** with its run folder as an absolute path, so the script replays from any folder */
    RUN_FOLDER,
    /** not at all: it changes nothing a replay needs */
    SKIPPED
  }

  /**
   * One command.
   *
   * @param name what the user types, e.g. ":temp"
   * @param aliases other names for it (":exit" for ":quit")
   * @param args its arguments as :help shows them
   * @param help one line of help
   * @param values the words its first argument may be, for completion
   * @param script how it goes into a saved script
   * @param handler what it does
   */
  public record Command(String name, List<String> aliases, String args, String help, List<String> values,
      Script script, Handler handler) {

    boolean isCalled(String typed) {
      return name.equals(typed) || aliases.contains(typed);
    }
  }

  private static Command command(String name, String args, String help, Handler handler) {
    return new Command(name, List.of(), args, help, List.of(), Script.AS_TYPED, handler);
  }

  private static Command command(String name, String args, String help, List<String> values, Handler handler) {
    return new Command(name, List.of(), args, help, values, Script.AS_TYPED, handler);
  }

  public static final List<Command> ALL = List.of(
      new Command(":help", List.of(), "", "list the commands", List.of(), Script.SKIPPED, ReplSession::help),
      command(":temp", "T", "temperature; 0 = greedy (always the most likely token)",
          (s, arg) -> s.settings().temperature(arg)),
      command(":topk", "K", "sample only from the K most likely tokens; 0 = off", (s, arg) -> s.settings().topK(arg)),
      command(":topp", "P", "sample only from the most likely tokens that make up mass P; 1 = off",
          (s, arg) -> s.settings().topP(arg)),
      command(":minp", "M", "drop tokens less than M times as likely as the top one; 0 = off",
          (s, arg) -> s.settings().minP(arg)),
      command(":seed", "S", "seed of the random draws; restarts them, so the same seed replays the same text",
          (s, arg) -> s.settings().seed(arg)),
      command(":max", "N", "generate at most N tokens", (s, arg) -> s.settings().maxNewTokens(arg)),
      command(":stop", "[TEXT|clear]", "add a stop string (\\n is a newline), remove them all, or list them",
          List.of("clear"), (s, arg) -> s.settings().stop(arg, s.out())),
      command(":penalty", "KIND V", "repetition|presence|frequency penalty V, window N (tokens looked at), or off",
          List.of("repetition", "presence", "frequency", "window", "off"), (s, arg) -> s.settings().penalty(arg)),
      command(":ban", "[ID...|clear]", "never generate these token ids (:tok shows ids), allow all again, or list them",
          List.of("clear"), (s, arg) -> s.settings().ban(arg, s.tokenizerOrNull(), s.vocabSizeOrMax(), s.out())),
      command(":bias", "[ID V|clear]", "add V to token ID's logit, remove every bias, or list them", List.of("clear"),
          (s, arg) -> s.settings().bias(arg, s.vocabSizeOrMax(), s.out())),
      command(":show", "", "the settings, the model and the context", ReplSession::show),
      command(":probs", "on|off [N]", "after each generated token show the N most likely (default 10)",
          List.of("on", "off"), (s, arg) -> s.settings().probs(arg)),
      command(":color", "on|off", "colour generated text by each token's probability (terminals only)",
          List.of("on", "off"), (s, arg) -> s.settings().colour(arg)),
      command(":next", "[TEXT]", "the next-token distribution after TEXT (or the context), without drawing",
          ReplSession::next),
      command(":score", "TEXT", "each token's probability in TEXT, the perplexity and bits per byte", ReplSession::score),
      command(":step", "[TEXT]", "draw one token after TEXT (or the context) and show the choice", ReplSession::step),
      command(":pick", "N", "replace the last token by the N-th most likely one",
          (s, arg) -> s.pick(integer(":pick", arg))),
      command(":back", "[N]", "remove the last N tokens from the context (default 1)",
          (s, arg) -> s.back(arg.isBlank() ? 1 : integer(":back", arg))),
      command(":tok", "TEXT", "the tokens of TEXT with their ids", ReplSession::tok),
      command(":attn", "[LAYER] [HEAD]", "attention of the context: a heat map of one layer/head, or where each head "
          + "looks from the last token", ReplSession::attn),
      command(":lens", "[TEXT]", "logit lens: the top next tokens read from the residual stream after each layer",
          ReplSession::lens),
      command(":similar", "TOKEN", "the 10 tokens nearest to TOKEN (text of one token, or #ID) by embedding cosine",
          ReplSession::similar),
      command(":gen", "TEXT", "generate after TEXT, even when it starts with ':' or '#'",
          (s, arg) -> s.generateAfter(required(":gen", arg, "TEXT"))),
      command(":add", "TEXT", "append TEXT to the context without generating; Enter on an empty line then goes on "
          + "from it", (s, arg) -> s.add(required(":add", arg, "TEXT"))),
      command(":reset", "", "empty the context", (s, arg) -> s.reset()),
      new Command(":load", List.of(), "RUN", "switch to another run folder", List.of(), Script.RUN_FOLDER,
          (s, arg) -> s.load(required(":load", arg, "RUN").strip())),
      new Command(":save", List.of(), "FILE", "write the session as a script; 'jgpt repl < FILE' replays it", List.of(),
          Script.SKIPPED, ReplSession::save),
      new Command(":quit", List.of(":exit"), "", "leave (also :exit and Ctrl-D)", List.of(), Script.SKIPPED,
          (s, arg) -> s.quit()));

  /** The command called {@code name} (by its name or an alias), ignoring case. */
  public static Optional<Command> find(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return ALL.stream().filter(c -> c.isCalled(n)).findFirst();
  }

  /**
   * Lines of :help, at most {@code width} columns wide (a long description goes on, indented,
   * on the next line); with colours, the colour legend at the end.
   */
  public static List<String> help(Style style, int width) {
    int nameWidth = 0;
    for (Command c : ALL) nameWidth = Math.max(nameWidth, (c.name() + " " + c.args()).length());
    List<String> lines = new ArrayList<>(words(
        "Type text (not starting with ':') and press Enter: it starts a new context and the model continues it. "
        + "An empty line continues the context; :add TEXT appends to it. A line ending in \\ goes on on the "
        + "next line; lines starting with # are comments.", width, ""));
    String indent = " ".repeat(nameWidth + 4);
    for (Command c : ALL) {
      String head = (c.name() + " " + c.args()).strip();
      List<String> text = words(c.help(), width, indent);
      lines.add("  " + head + " ".repeat(nameWidth - head.length() + 2) + text.getFirst().substring(indent.length()));
      lines.addAll(text.subList(1, text.size()));
    }
    lines.add("Ctrl-C stops a generation; Ctrl-D leaves.");
    if (style.colours()) lines.add(style.legend());
    return lines;
  }

  /** {@code text} wrapped at its spaces to {@code width} columns, each line starting with {@code indent}. */
  private static List<String> words(String text, int width, String indent) {
    return Layout.wrap(Arrays.asList(text.split(" ")), width - 1, indent);
  }
}
