package dev.jgpt.cli.repl;

import dev.jgpt.transformer.TokenProbabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The next-token table: the top candidates with the model's probability as a bar, percent and
 * log-probability, beside the probability the sampler gave them after its filters; a marker on
 * the drawn token (added below the list when it was not among the top); then the entropies and
 * the drawn token's rank.
 *
 * <p>The table fits a width (the terminal's columns; 80 in a pipe): the token column and the
 * bars grow or shrink with it. Both bars have one scale, the same number of cells for 100%, so
 * a 94% sampler bar is longer than an 83% model bar.
 *
 * <pre>
 *      #  token         model                   logprob  sampler
 *   &gt;  1  " the"        ####            31.20%   -1.165  ######          41.71%
 *      2  "\n"          ##              14.02%   -1.965  ###             18.74%
 *   entropy 3.02 bits (model), 2.11 bits (sampler); drew #1 " the"; 12 of 256 tokens kept
 * </pre>
 */
public final class ProbabilityView {
  /** Columns around the token and the bars: "  &gt;    1  " before the token, " " + " 31.20%   -1.165" after the model bar. */
  private static final int FIXED = 10 + 1 + 17;
  /** "  " + " 41.71%" around the sampler bar. */
  private static final int SAMPLER_FIXED = 2 + 8;
  private static final int MIN_TOKEN = 8, MAX_TOKEN = 24, MIN_BAR = 4;

  private ProbabilityView() {}

  /** The column widths for a table {@code width} columns wide (one column spare, so a full line never wraps). */
  record Columns(int token, int bar) {
    static Columns of(int width, boolean withSampler) {
      int free = Math.max(0, width - 1 - FIXED - (withSampler ? SAMPLER_FIXED : 0));
      int token = Math.clamp(free / 3, MIN_TOKEN, MAX_TOKEN);
      int bar = Math.max(MIN_BAR, (free - token) / (withSampler ? 2 : 1));
      return new Columns(token, bar);
    }
  }

  /** As {@link #render(TokenProbabilities, int, IntFunction, Style, boolean, int)} at 80 columns. */
  public static List<String> render(TokenProbabilities tp, int k, IntFunction<String> text, Style style,
      boolean withSampler) {
    return render(tp, k, text, style, withSampler, 80);
  }

  /**
   * Lines of the table for the {@code k} most likely tokens, at most {@code width} columns wide.
   * {@code text} shows a token id (quoted and escaped); {@code withSampler} adds the sampler's column.
   */
  public static List<String> render(TokenProbabilities tp, int k, IntFunction<String> text, Style style,
      boolean withSampler, int width) {
    Columns cols = Columns.of(width, withSampler);
    List<String> lines = new ArrayList<>();
    String header = String.format(Locale.ROOT, "     %3s  %-" + cols.token() + "s %-" + (cols.bar() + 8) + "s %8s",
        "#", "token", "model", "logprob");
    if (withSampler) header += "  sampler";
    lines.add(style.dim(header));
    List<TokenProbabilities.Candidate> top = tp.top(k);
    boolean chosenShown = false;
    for (TokenProbabilities.Candidate c : top) {
      lines.add(row(c, tp.chosen(), text, style, withSampler, cols));
      chosenShown |= c.id() == tp.chosen();
    }
    if (tp.chosen() >= 0 && !chosenShown) {
      int id = tp.chosen();
      lines.add(style.dim("     ..."));
      lines.add(row(new TokenProbabilities.Candidate(tp.rawRank(id), id, tp.raw(id), tp.rawLogprob(id), tp.filtered(id)),
          id, text, style, withSampler, cols));
    }
    lines.addAll(summary(tp, text, withSampler, width));
    return lines;
  }

  private static String row(TokenProbabilities.Candidate c, int chosen, IntFunction<String> text, Style style,
      boolean withSampler, Columns cols) {
    String marker = c.id() == chosen ? style.bold(">") : " ";
    String token = fit(text.apply(c.id()), cols.token());
    StringBuilder sb = new StringBuilder();
    sb.append("  ").append(marker).append(String.format(Locale.ROOT, "  %3d  ", c.rank()));
    sb.append(style.byProbability(token, c.raw())).append(" ");
    sb.append(style.byProbability(style.bar(c.raw(), cols.bar()), c.raw()));
    sb.append(String.format(Locale.ROOT, " %6.2f%%  %7.3f", 100.0 * c.raw(), c.rawLogprob()));
    if (withSampler) {
      if (c.filtered() > 0) {
        sb.append("  ").append(style.accent(style.bar(c.filtered(), cols.bar())));
        sb.append(String.format(Locale.ROOT, " %6.2f%%", 100.0 * c.filtered()));
      } else {
        sb.append("  ").append(" ".repeat(cols.bar())).append("       -");
      }
    }
    return sb.toString();
  }

  /** "entropy 3.02 bits (model), 2.11 bits (sampler); drew #1 " the"; 12 of 256 tokens kept", wrapped to the width. */
  private static List<String> summary(TokenProbabilities tp, IntFunction<String> text, boolean withSampler, int width) {
    List<String> items = new ArrayList<>(List.of(
        String.format(Locale.ROOT, "entropy %.2f bits (model)", tp.rawEntropyBits()) + (withSampler ? "," : "")));
    if (withSampler) items.add(String.format(Locale.ROOT, "%.2f bits (sampler)", tp.filteredEntropyBits()));
    if (tp.chosen() >= 0) {
      items.set(items.size() - 1, items.getLast() + ";");
      items.add("drew #" + tp.rawRank(tp.chosen()) + " " + text.apply(tp.chosen()));
    }
    if (withSampler) {
      items.set(items.size() - 1, items.getLast() + ";");
      items.add(tp.keptCount() + " of " + Layout.count(tp.vocabSize(), "token") + " kept");
    }
    return Layout.wrap(items, width - 1, "  ");
  }

  /** {@code s} padded to {@code width} code points, or cut with an ellipsis. */
  static String fit(String s, int width) {
    int n = s.codePointCount(0, s.length());
    if (n <= width) return s + " ".repeat(width - n);
    return s.substring(0, s.offsetByCodePoints(0, width - 1)) + "…";
  }
}
