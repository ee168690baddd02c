package dev.jgpt.cli.repl;

import dev.jgpt.tokenizer.TokenText;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.Scorer;
import dev.jgpt.transformer.TokenProbabilities;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Everything the REPL prints, fitted to the terminal's width and styled (colours on a terminal,
 * plain text in a pipe): generated text as it comes, probability tables, the end of the context,
 * token lists, scores, and errors as one line.
 */
final class ReplPrinter {
  /** Characters of context shown before its last token. */
  static final int TAIL_CHARS = 60;

  private final PrintWriter out;
  private final Style style;
  private IntSupplier columns = () -> 80; // the terminal's
  private boolean legendShown; // the colour legend, once per session after the first coloured output

  ReplPrinter(PrintWriter out, Style style) {
    this.out = out;
    this.style = style;
  }

  PrintWriter out() {
    return out;
  }

  Style style() {
    return style;
  }

  void setColumns(IntSupplier columns) {
    this.columns = columns;
  }

  IntSupplier columns() {
    return columns;
  }

  /** Columns to fit output to: the terminal's, at least 40. */
  int width() {
    return Math.max(40, columns.getAsInt());
  }

  void println(String line) {
    out.println(line);
  }

  void lines(List<String> lines) {
    lines.forEach(out::println);
  }

  void flush() {
    out.flush();
  }

  /** An error as one line. */
  void error(Exception e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
    if (e instanceof NoSuchFileException) m = "no such file: " + m;
    out.println(style.error("error: " + m.replace('\n', ' ').strip()));
    out.flush();
  }

  /** The colour legend, once per session, after the first output coloured by probability (terminals only). */
  void legend() {
    if (!style.colours() || legendShown) return;
    legendShown = true;
    out.println(style.dim("  ") + style.legend());
  }

  /** The {@code rows} most likely next tokens, then the legend. */
  void table(TokenProbabilities tp, Tokenizer tok, int rows) {
    lines(ProbabilityView.render(tp, rows, id -> TokenText.quoted(tok, id), style, true, width()));
    legend();
  }

  /** The end of the context, its last token marked (coloured by {@code p} on a terminal, bracketed in plain text). */
  void contextTail(int[] context, Tokenizer tok, double p) {
    int n = context.length;
    String before = tok.decode(Arrays.copyOf(context, n - 1));
    String last = TokenText.render(tok.tokenBytes(context[n - 1]));
    if (before.length() > TAIL_CHARS) before = "…" + before.substring(before.length() - TAIL_CHARS);
    String marked = style.colours()
        ? style.bold(Double.isNaN(p) ? last : style.byProbability(last, p))
        : "[" + last + "]";
    out.println("  context (" + Layout.count(n, "token") + "): " + TokenText.escape(before) + marked);
  }

  /** {@code :tok}: each token's id and text, wrapped to the width, then the bytes per token. */
  void tokens(int[] ids, Tokenizer tok) {
    StringBuilder line = new StringBuilder();
    long bytes = 0;
    for (int id : ids) {
      String item = id + " " + TokenText.quoted(tok, id);
      if (!line.isEmpty() && line.length() + 2 + item.length() > width() - 4) {
        out.println("  " + line);
        line.setLength(0);
      }
      line.append(line.isEmpty() ? "" : "  ").append(item);
      bytes += tok.tokenBytes(id).length;
    }
    if (!line.isEmpty()) out.println("  " + line);
    out.println(String.format(Locale.ROOT, "  %s, %s, %.2f bytes per token", Layout.count(ids.length, "token"),
        Layout.count(bytes, "byte"), ids.length == 0 ? 0.0 : (double) bytes / ids.length));
  }

  /** {@code :score}: the text coloured by probability (terminals), the table, the legend. */
  void score(Scorer.Result r, Tokenizer tok) {
    if (style.colours()) out.println("  " + ScoreView.colouredText(r, style));
    lines(ScoreView.table(r, tok, style, width()));
    legend();
  }

  /** The context line of {@code :show}: its last {@link #TAIL_CHARS} characters, or "empty". */
  void contextSummary(int[] context, Tokenizer tokOrNull) {
    if (tokOrNull != null && context.length > 0) {
      String text = tokOrNull.decode(context);
      if (text.length() > TAIL_CHARS) text = "…" + text.substring(text.length() - TAIL_CHARS);
      out.println("  context     " + Layout.count(context.length, "token") + ": " + TokenText.quote(text));
    } else {
      out.println("  context     empty");
    }
  }

  // ---------------------------------------------------------------- a generation as it runs

  /** What prints one generation's tokens as they come; {@link Generation#finish} ends it. */
  Generation generation(Tokenizer tok, ReplSettings settings) {
    return new Generation(tok, settings);
  }

  /**
   * Prints one generation: each token as it comes (coloured by probability, or with its table
   * under {@code :probs on}), then the summary.
   */
  final class Generation implements GenerationLoop.Listener {
    private final Tokenizer tok;
    private final ReplSettings settings;
    private boolean atLineStart;

    private Generation(Tokenizer tok, ReplSettings settings) {
      this.tok = tok;
      this.settings = settings;
      this.atLineStart = !style.colours();
    }

    @Override
    public void token(GenerationLoop.Token t) {
      if (settings.probs()) {
        out.println((atLineStart ? "" : "\n") + style.bold("[" + (t.index() + 1) + "]") + " "
            + TokenText.quoted(tok, t.id()));
        lines(ProbabilityView.render(t.probabilities(), settings.probsTop(), id -> TokenText.quoted(tok, id), style,
            true, width()));
        atLineStart = true;
      } else if (!t.printable().isEmpty()) {
        // the probability table is built only when colour needs it
        out.print(settings.colour() ? style.byProbability(t.printable(), t.probabilities().raw(t.id())) : t.printable());
        atLineStart = t.printable().endsWith("\n");
      }
      out.flush();
    }

    @Override
    public void trailingText(String text) {
      if (!settings.probs()) out.print(text);
      atLineStart = text.endsWith("\n");
    }

    /** After the last token: the text (under :probs), the summary on a terminal, why it stopped. */
    void finish(GenerationLoop.Result r) {
      if (settings.probs()) out.println(style.bold("text: ") + TokenText.quote(r.text()));
      else if (!atLineStart || style.colours()) out.println();
      if (style.colours()) {
        List<String> summary = List.of("[" + Layout.count(r.newTokens().length, "token") + ",",
            String.format(Locale.ROOT, "%.0f tokens/s,", r.tokensPerSecond()),
            String.format(Locale.ROOT, "first after %.0f ms;", r.firstTokenNanos() / 1e6),
            "stopped: " + stopReason(r.reason()) + "]");
        for (String l : Layout.wrap(summary, width() - 1, "")) out.println(style.dim(l));
        if (settings.colour() || settings.probs()) legend();
      } else if (r.reason() == GenerationLoop.StopReason.CANCELLED) {
        out.println("(stopped: cancelled)");
      }
    }
  }

  /** Why a generation ended, in the summary line's words. */
  static String stopReason(GenerationLoop.StopReason reason) {
    return switch (reason) {
      case MAX_TOKENS -> "length";
      case END_OF_TEXT -> "end of text";
      case STOP_STRING -> "stop string";
      case CANCELLED -> "cancelled";
    };
  }
}
