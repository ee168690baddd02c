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
 * <pre>
 *      #  token        model                   logprob  sampler
 *   &gt;  1  " the"       ######          31.20%   -1.165  ########  41.71%
 *      2  "\n"         ###             14.02%   -1.965  ####      18.74%
 *   entropy 3.02 bits (model), 2.11 bits (sampler); drew #1 " the"; 12 of 256 tokens kept
 * </pre>
 */
public final class ProbabilityView {
  private static final int MODEL_BAR = 16;
  private static final int SAMPLER_BAR = 10;
  private static final int TOKEN_WIDTH = 14;

  private ProbabilityView() {}

  /**
   * Lines of the table for the {@code k} most likely tokens. {@code text} shows a token id
   * (quoted and escaped); {@code withSampler} adds the sampler's column.
   */
  public static List<String> render(TokenProbabilities tp, int k, IntFunction<String> text, Style style,
      boolean withSampler) {
    List<String> lines = new ArrayList<>();
    String header = String.format(Locale.ROOT, "     %3s  %-" + TOKEN_WIDTH + "s %-" + (MODEL_BAR + 9) + "s %8s",
        "#", "token", "model", "logprob");
    if (withSampler) header += "  sampler";
    lines.add(style.dim(header));
    List<TokenProbabilities.Candidate> top = tp.top(k);
    boolean chosenShown = false;
    for (TokenProbabilities.Candidate c : top) {
      lines.add(row(c, tp.chosen(), text, style, withSampler));
      chosenShown |= c.id() == tp.chosen();
    }
    if (tp.chosen() >= 0 && !chosenShown) {
      int id = tp.chosen();
      lines.add(style.dim("     ..."));
      lines.add(row(new TokenProbabilities.Candidate(tp.rawRank(id), id, tp.raw(id), tp.rawLogprob(id), tp.filtered(id)),
          id, text, style, withSampler));
    }
    lines.add(summary(tp, text, withSampler));
    return lines;
  }

  private static String row(TokenProbabilities.Candidate c, int chosen, IntFunction<String> text, Style style,
      boolean withSampler) {
    String marker = c.id() == chosen ? style.bold(">") : " ";
    String token = fit(text.apply(c.id()), TOKEN_WIDTH);
    StringBuilder sb = new StringBuilder();
    sb.append("  ").append(marker).append(String.format(Locale.ROOT, "  %3d  ", c.rank()));
    sb.append(style.byProbability(token, c.raw())).append(" ");
    sb.append(style.byProbability(style.bar(c.raw(), MODEL_BAR), c.raw()));
    sb.append(String.format(Locale.ROOT, " %6.2f%%  %7.3f", 100.0 * c.raw(), c.rawLogprob()));
    if (withSampler) {
      if (c.filtered() > 0) {
        sb.append("  ").append(style.accent(style.bar(c.filtered(), SAMPLER_BAR)));
        sb.append(String.format(Locale.ROOT, " %6.2f%%", 100.0 * c.filtered()));
      } else {
        sb.append("  ").append(" ".repeat(SAMPLER_BAR)).append("       -");
      }
    }
    return sb.toString();
  }

  private static String summary(TokenProbabilities tp, IntFunction<String> text, boolean withSampler) {
    StringBuilder sb = new StringBuilder("  entropy ");
    sb.append(String.format(Locale.ROOT, "%.2f bits (model)", tp.rawEntropyBits()));
    if (withSampler) sb.append(String.format(Locale.ROOT, ", %.2f bits (sampler)", tp.filteredEntropyBits()));
    if (tp.chosen() >= 0) {
      sb.append("; drew #").append(tp.rawRank(tp.chosen())).append(' ').append(text.apply(tp.chosen()));
    }
    if (withSampler) sb.append("; ").append(tp.keptCount()).append(" of ").append(tp.vocabSize()).append(" tokens kept");
    return sb.toString();
  }

  /** {@code s} padded to {@code width} code points, or cut with an ellipsis. */
  static String fit(String s, int width) {
    int n = s.codePointCount(0, s.length());
    if (n <= width) return s + " ".repeat(width - n);
    return s.substring(0, s.offsetByCodePoints(0, width - 1)) + "…";
  }
}
