package dev.jgpt.transformer;

import dev.jgpt.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * How surprised a model is by a text: the probability of each of its tokens given the ones
 * before, the total negative log-likelihood, perplexity and bits per byte (which compare across
 * tokenizers). The first token is scored after the end-of-text token when the tokenizer has one
 * (GPT-2's "start of a document"); otherwise it has no context and is left out of the totals.
 */
public final class Scorer {
  private static final double LN2 = Math.log(2);

  private final NextTokenModel model;
  private final Tokenizer tokenizer;

  public Scorer(NextTokenModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  /**
   * One token of the text. Scores are NaN (rank 0, no alternatives) for an unscored first token.
   *
   * @param id the token
   * @param text its bytes as text (a piece of a character shows as U+FFFD)
   * @param bytes how many bytes of the text it covers
   * @param logprob the model's log-probability of this token, in nats
   * @param rank 1 when it was the model's most likely token
   * @param entropyBits the entropy of the model's distribution at this position
   * @param top the model's most likely tokens at this position
   */
  public record TokenScore(int id, String text, int bytes, double logprob, int rank, double entropyBits,
      List<TokenProbabilities.Candidate> top) {
    public boolean scored() {
      return !Double.isNaN(logprob);
    }

    public double probability() {
      return Math.exp(logprob);
    }

    /** -log p in nats. */
    public double nll() {
      return -logprob;
    }

    /** -log2 p: the information in bits. */
    public double surprisalBits() {
      return -logprob / LN2;
    }
  }

  /** The per-token scores and the totals over the scored tokens. */
  public record Result(List<TokenScore> tokens, double totalNll, int scoredTokens, long scoredBytes) {
    /** Mean negative log-likelihood per scored token, in nats. */
    public double meanNll() {
      return scoredTokens == 0 ? Double.NaN : totalNll / scoredTokens;
    }

    /** exp(mean NLL). */
    public double perplexity() {
      return Math.exp(meanNll());
    }

    /** Total NLL in bits over the bytes of the scored tokens. */
    public double bitsPerByte() {
      return scoredBytes == 0 ? Double.NaN : totalNll / LN2 / scoredBytes;
    }
  }

  /**
   * Scores {@code text}, keeping the {@code topK} most likely alternatives of each position;
   * {@code cancelled} is polled after every token (the totals then cover what was scored).
   */
  public Result score(String text, int topK, BooleanSupplier cancelled) {
    return scoreTokens(tokenizer.encode(text), topK, cancelled);
  }

  /**
   * Scores raw bytes (a file as it is, in any encoding): every byte is covered by exactly one
   * token, so bits per byte divide by the text's true size, not by a UTF-8 re-encoding of it.
   */
  public Result score(byte[] text, int topK, BooleanSupplier cancelled) {
    return scoreTokens(tokenizer.encodeBytes(text, 0, text.length), topK, cancelled);
  }

  private Result scoreTokens(int[] ids, int topK, BooleanSupplier cancelled) {
    if (ids.length == 0) throw new IllegalArgumentException("nothing to score: the text is empty");
    int eot = GenerationLoop.endOfTextId(model, tokenizer);
    int offset = eot >= 0 ? 1 : 0;
    int[] seq = new int[ids.length + offset];
    if (offset == 1) seq[0] = eot;
    System.arraycopy(ids, 0, seq, offset, ids.length);
    List<TokenScore> scores = new ArrayList<>(ids.length);
    double total = 0;
    int scored = 0;
    long bytes = 0;
    for (int i = 0; i < ids.length; i++) {
      byte[] b = tokenizer.tokenBytes(ids[i]);
      String piece = new String(b, StandardCharsets.UTF_8);
      int pos = i + offset; // index of this token in seq
      if (pos == 0) {
        scores.add(new TokenScore(ids[i], piece, b.length, Double.NaN, 0, Double.NaN, List.of()));
        continue;
      }
      TokenProbabilities p = TokenProbabilities.ofModel(model.nextLogits(seq, pos), model.vocabSize(), ids[i]);
      double logprob = p.rawLogprob(ids[i]);
      scores.add(new TokenScore(ids[i], piece, b.length, logprob, p.rawRank(ids[i]), p.rawEntropyBits(), p.top(topK)));
      total -= logprob;
      scored++;
      bytes += b.length;
      if (cancelled.getAsBoolean()) break;
    }
    return new Result(List.copyOf(scores), total, scored, bytes);
  }
}
