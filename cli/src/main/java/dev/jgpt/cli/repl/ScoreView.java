package dev.jgpt.cli.repl;

import dev.jgpt.tokenizer.TokenText;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Scorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scored text for people: the text with each token coloured by its probability (terminals
 * only), one row per token (probability, surprisal, rank), and the totals; fitted to a width
 * (the token column grows or shrinks with it, the totals wrap between their items).
 */
public final class ScoreView {
  /** Columns of a row besides the token: "  " + " %7d" + " p" + " surprisal" + "  rank". */
  private static final int FIXED = 2 + 1 + 7 + 1 + 8 + 1 + 11 + 2 + 6;
  private static final int MIN_TOKEN = 8, MAX_TOKEN = 24;

  private ScoreView() {}

  /** The text with each token coloured by the model's probability of it (unscored tokens dim). */
  public static String colouredText(Scorer.Result r, Style style) {
    StringBuilder sb = new StringBuilder();
    for (Scorer.TokenScore t : r.tokens()) {
      sb.append(t.scored() ? style.byProbability(t.text(), t.probability()) : style.dim(t.text()));
    }
    return sb.toString();
  }

  /** As {@link #table(Scorer.Result, Tokenizer, Style, int)} at 80 columns. */
  public static List<String> table(Scorer.Result r, Tokenizer tokenizer, Style style) {
    return table(r, tokenizer, style, 80);
  }

  /** One row per token, then the totals, at most {@code width} columns wide. */
  public static List<String> table(Scorer.Result r, Tokenizer tokenizer, Style style, int width) {
    int tokenWidth = Math.clamp(width - 1 - FIXED, MIN_TOKEN, MAX_TOKEN);
    List<String> lines = new ArrayList<>();
    lines.add(style.dim(String.format(Locale.ROOT, "  %-" + tokenWidth + "s %7s %8s %11s  %s",
        "token", "id", "p", "surprisal", "rank")));
    for (Scorer.TokenScore t : r.tokens()) {
      String token = ProbabilityView.fit(TokenText.quoted(tokenizer, t.id()), tokenWidth);
      if (!t.scored()) {
        lines.add(String.format(Locale.ROOT, "  %s %7d %8s %11s  %s", token, t.id(), "-", "-", "(no context)"));
        continue;
      }
      lines.add(String.format(Locale.ROOT, "  %s %7d %s %s  %d",
          style.byProbability(token, t.probability()), t.id(),
          style.byProbability(String.format(Locale.ROOT, "%7.2f%%", 100 * t.probability()), t.probability()),
          String.format(Locale.ROOT, "%6.2f bits", t.surprisalBits()), t.rank()));
    }
    lines.addAll(totals(r, width));
    return lines;
  }

  /**
   * "5 tokens (4 scored, 13 bytes): NLL 9.210 nats, 2.303 per token, perplexity 10.00, 2.130 bits
   * per byte", wrapped to {@code width} between its items.
   */
  public static List<String> totals(Scorer.Result r, int width) {
    List<String> items = List.of(
        String.format(Locale.ROOT, "%s (%d scored, %s):", Layout.count(r.tokens().size(), "token"),
            r.scoredTokens(), Layout.count(r.scoredBytes(), "byte")),
        String.format(Locale.ROOT, "NLL %.3f nats,", r.totalNll()),
        String.format(Locale.ROOT, "%.3f per token,", r.meanNll()),
        String.format(Locale.ROOT, "perplexity %.2f,", r.perplexity()),
        String.format(Locale.ROOT, "%.3f bits per byte", r.bitsPerByte()));
    return Layout.wrap(items, width - 1, "  ");
  }
}
