package dev.jgpt.cli.repl;

import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.Scorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scored text for people: the text with each token coloured by its probability (terminals
 * only), one row per token (probability, surprisal, rank), and the totals.
 */
public final class ScoreView {
  private static final int TOKEN_WIDTH = 16;

  private ScoreView() {}

  /** The text with each token coloured by the model's probability of it (unscored tokens dim). */
  public static String colouredText(Scorer.Result r, Style style) {
    StringBuilder sb = new StringBuilder();
    for (Scorer.TokenScore t : r.tokens()) {
      sb.append(t.scored() ? style.byProbability(t.text(), t.probability()) : style.dim(t.text()));
    }
    return sb.toString();
  }

  /** One row per token, then the totals line. */
  public static List<String> table(Scorer.Result r, Tokenizer tokenizer, Style style) {
    List<String> lines = new ArrayList<>();
    lines.add(style.dim(String.format(Locale.ROOT, "  %-" + TOKEN_WIDTH + "s %7s %8s %9s  %s",
        "token", "id", "p", "surprisal", "rank")));
    for (Scorer.TokenScore t : r.tokens()) {
      String token = ProbabilityView.fit(TokenDisplay.quoted(tokenizer, t.id()), TOKEN_WIDTH);
      if (!t.scored()) {
        lines.add(String.format(Locale.ROOT, "  %s %7d %8s %9s  %s", token, t.id(), "-", "-", "(no context)"));
        continue;
      }
      lines.add(String.format(Locale.ROOT, "  %s %7d %s %s  %d",
          style.byProbability(token, t.probability()), t.id(),
          style.byProbability(String.format(Locale.ROOT, "%7.2f%%", 100 * t.probability()), t.probability()),
          String.format(Locale.ROOT, "%6.2f bits", t.surprisalBits()), t.rank()));
    }
    lines.add(totals(r));
    return lines;
  }

  /** "5 tokens (4 scored, 13 bytes): NLL 9.210 nats, 2.303 per token, perplexity 10.00, 2.130 bits per byte". */
  public static String totals(Scorer.Result r) {
    return String.format(Locale.ROOT,
        "  %d tokens (%d scored, %d bytes): NLL %.3f nats, %.3f per token, perplexity %.2f, %.3f bits per byte",
        r.tokens().size(), r.scoredTokens(), r.scoredBytes(), r.totalNll(), r.meanNll(), r.perplexity(),
        r.bitsPerByte());
  }
}
