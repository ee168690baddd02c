package dev.jgpt.cli.repl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The REPL's commands: names, arguments and one line of help each (for :help and tab completion). */
public final class ReplCommands {
  private ReplCommands() {}

  /** One command; {@code values} are the words its first argument may be, for completion. */
  public record Info(String name, String args, String help, List<String> values) {}

  public static final List<Info> ALL = List.of(
      new Info(":help", "", "list the commands", List.of()),
      new Info(":temp", "T", "temperature; 0 = greedy (always the most likely token)", List.of()),
      new Info(":topk", "K", "sample only from the K most likely tokens; 0 = off", List.of()),
      new Info(":topp", "P", "sample only from the most likely tokens that make up mass P; 1 = off", List.of()),
      new Info(":minp", "M", "drop tokens less than M times as likely as the top one; 0 = off", List.of()),
      new Info(":seed", "S", "seed of the random draws; restarts them, so the same seed replays the same text",
          List.of()),
      new Info(":max", "N", "generate at most N tokens", List.of()),
      new Info(":stop", "[TEXT|clear]", "add a stop string (\\n is a newline), remove them all, or list them",
          List.of("clear")),
      new Info(":penalty", "KIND V", "repetition|presence|frequency penalty V, window N (tokens looked at), or off",
          List.of("repetition", "presence", "frequency", "window", "off")),
      new Info(":ban", "[ID...|clear]", "never generate these token ids (:tok shows ids), allow all again, or list them",
          List.of("clear")),
      new Info(":bias", "[ID V|clear]", "add V to token ID's logit, remove every bias, or list them", List.of("clear")),
      new Info(":show", "", "the settings, the model and the context", List.of()),
      new Info(":probs", "on|off [N]", "after each generated token show the N most likely (default 10)",
          List.of("on", "off")),
      new Info(":color", "on|off", "colour generated text by each token's probability (terminals only)",
          List.of("on", "off")),
      new Info(":next", "[TEXT]", "the next-token distribution after TEXT (or the context), without drawing",
          List.of()),
      new Info(":score", "TEXT", "each token's probability in TEXT, the perplexity and bits per byte", List.of()),
      new Info(":step", "[TEXT]", "draw one token after TEXT (or the context) and show the choice", List.of()),
      new Info(":pick", "N", "replace the last token by the N-th most likely one", List.of()),
      new Info(":back", "[N]", "remove the last N tokens from the context (default 1)", List.of()),
      new Info(":tok", "TEXT", "the tokens of TEXT with their ids", List.of()),
      new Info(":attn", "[LAYER] [HEAD]", "attention of the context: a heat map of one layer/head, or where each head "
          + "looks from the last token", List.of()),
      new Info(":lens", "[TEXT]", "logit lens: the top next tokens read from the residual stream after each layer",
          List.of()),
      new Info(":similar", "TOKEN", "the 10 tokens nearest to TOKEN (text of one token, or #ID) by embedding cosine",
          List.of()),
      new Info(":gen", "TEXT", "generate after TEXT, even when it starts with ':' or '#'", List.of()),
      new Info(":add", "TEXT", "append TEXT to the context without generating; Enter on an empty line then goes on "
          + "from it", List.of()),
      new Info(":reset", "", "empty the context", List.of()),
      new Info(":load", "RUN", "switch to another run folder", List.of()),
      new Info(":save", "FILE", "write the session as a script; 'jgpt repl < FILE' replays it", List.of()),
      new Info(":quit", "", "leave (also :exit and Ctrl-D)", List.of()));

  /** The command called {@code name} (":exit" is ":quit"). */
  public static Optional<Info> find(String name) {
    String n = name.equals(":exit") ? ":quit" : name;
    return ALL.stream().filter(i -> i.name().equals(n)).findFirst();
  }

  /**
   * Lines of :help, at most {@code width} columns wide (a long description goes on, indented,
   * on the next line); with colours, the colour legend at the end.
   */
  public static List<String> help(Style style, int width) {
    int nameWidth = 0;
    for (Info i : ALL) nameWidth = Math.max(nameWidth, (i.name() + " " + i.args()).length());
    List<String> lines = new ArrayList<>(words(
        "Type text (not starting with ':') and press Enter: it starts a new context and the model continues it. "
        + "An empty line continues the context; :add TEXT appends to it. A line ending in \\ goes on on the "
        + "next line; lines starting with # are comments.", width, ""));
    String indent = " ".repeat(nameWidth + 4);
    for (Info i : ALL) {
      String head = (i.name() + " " + i.args()).strip();
      List<String> text = words(i.help(), width, indent);
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
