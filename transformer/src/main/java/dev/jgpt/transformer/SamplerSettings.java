package dev.jgpt.transformer;

import dev.jgpt.tokenizer.TokenText;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * How the next token is drawn from the model's logits. Immutable; the {@code with...} methods
 * return a changed copy (the REPL changes one setting at a time).
 *
 * <p>Order of application in {@link Sampler}: logit bias and banned tokens, then the repetition,
 * presence and frequency penalties, then temperature, then top-k, top-p and min-p (each on the
 * distribution left by the one before), then one draw.
 *
 * @param temperature divides the logits; 0 means greedy (always the most likely token)
 * @param topK keep only the K most likely tokens; 0 = off
 * @param topP keep the smallest set of most likely tokens whose mass reaches P; 1 = off
 * @param minP keep tokens whose probability is at least M times the top one's; 0 = off
 * @param repetitionPenalty CTRL's penalty for tokens already in the recent context: positive
 *     logits are divided by it, negative ones multiplied; 1 = off
 * @param presencePenalty subtracted once from the logit of every token already in the recent context
 * @param frequencyPenalty subtracted from a token's logit once per occurrence in the recent context
 * @param penaltyLastN how many of the most recent context tokens the penalties look at
 * @param logitBias added to the logit of a token id (OpenAI's logit_bias)
 * @param bannedTokens token ids that are never drawn
 * @param seed the random draws are a pure function of (seed, draw number): the same seed and
 *     settings give the same text
 * @param maxNewTokens stop after this many generated tokens
 * @param stopStrings stop when the generated text contains one of these (it is not printed)
 */
public record SamplerSettings(
    double temperature,
    int topK,
    double topP,
    double minP,
    double repetitionPenalty,
    double presencePenalty,
    double frequencyPenalty,
    int penaltyLastN,
    Map<Integer, Float> logitBias,
    Set<Integer> bannedTokens,
    long seed,
    int maxNewTokens,
    List<String> stopStrings) {

  /** nanoGPT's sample.py defaults where it has them (temperature 0.8, 500 new tokens at most). */
  public static SamplerSettings defaults() {
    return new SamplerSettings(0.8, 0, 1.0, 0.0, 1.0, 0.0, 0.0, 64, Map.of(), Set.of(), 1337, 500, List.of());
  }

  public SamplerSettings {
    check(Double.isFinite(temperature) && temperature >= 0,
        "temperature must be 0 (greedy) or a positive number, got " + temperature);
    check(topK >= 0, "top-k must be 0 (off) or a positive count, got " + topK);
    check(topP > 0 && topP <= 1, "top-p must be in (0, 1] (1 = off), got " + topP);
    check(minP >= 0 && minP <= 1, "min-p must be in [0, 1] (0 = off), got " + minP);
    check(Double.isFinite(repetitionPenalty) && repetitionPenalty > 0,
        "repetition penalty must be a positive number (1 = off), got " + repetitionPenalty);
    check(Double.isFinite(presencePenalty), "presence penalty must be a finite number, got " + presencePenalty);
    check(Double.isFinite(frequencyPenalty), "frequency penalty must be a finite number, got " + frequencyPenalty);
    check(penaltyLastN >= 0, "penalty window must be 0 or more tokens, got " + penaltyLastN);
    check(maxNewTokens >= 0, "max new tokens must be 0 or more, got " + maxNewTokens);
    logitBias = Map.copyOf(new TreeMap<>(logitBias == null ? Map.of() : logitBias));
    for (var e : logitBias.entrySet()) {
      check(e.getKey() >= 0, "logit bias for a negative token id " + e.getKey());
      check(Float.isFinite(e.getValue()), "logit bias for token " + e.getKey() + " must be finite");
    }
    bannedTokens = Set.copyOf(new TreeSet<>(bannedTokens == null ? Set.of() : bannedTokens));
    for (int id : bannedTokens) check(id >= 0, "banned token id must not be negative, got " + id);
    stopStrings = List.copyOf(stopStrings == null ? List.of() : stopStrings);
    for (String s : stopStrings) check(!s.isEmpty(), "a stop string must not be empty");
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }

  /** True when the draw is greedy (temperature 0): no randomness, filters irrelevant. */
  public boolean greedy() {
    return temperature == 0;
  }

  public SamplerSettings withTemperature(double v) {
    return edit(b -> b.temperature = v);
  }

  public SamplerSettings withTopK(int v) {
    return edit(b -> b.topK = v);
  }

  public SamplerSettings withTopP(double v) {
    return edit(b -> b.topP = v);
  }

  public SamplerSettings withMinP(double v) {
    return edit(b -> b.minP = v);
  }

  public SamplerSettings withRepetitionPenalty(double v) {
    return edit(b -> b.repetitionPenalty = v);
  }

  public SamplerSettings withPresencePenalty(double v) {
    return edit(b -> b.presencePenalty = v);
  }

  public SamplerSettings withFrequencyPenalty(double v) {
    return edit(b -> b.frequencyPenalty = v);
  }

  public SamplerSettings withPenaltyLastN(int v) {
    return edit(b -> b.penaltyLastN = v);
  }

  public SamplerSettings withLogitBias(Map<Integer, Float> v) {
    return edit(b -> b.logitBias = v);
  }

  public SamplerSettings withBannedTokens(Set<Integer> v) {
    return edit(b -> b.bannedTokens = v);
  }

  public SamplerSettings withSeed(long v) {
    return edit(b -> b.seed = v);
  }

  public SamplerSettings withMaxNewTokens(int v) {
    return edit(b -> b.maxNewTokens = v);
  }

  public SamplerSettings withStopStrings(List<String> v) {
    return edit(b -> b.stopStrings = v);
  }

  /** A copy with the settings {@code change} sets; the constructor checks the result. */
  private SamplerSettings edit(Consumer<Editable> change) {
    Editable e = new Editable(this);
    change.accept(e);
    return e.settings();
  }

  /** The settings as mutable fields, so each {@code with...} method names only what it changes. */
  private static final class Editable {
    double temperature, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty;
    int topK, penaltyLastN, maxNewTokens;
    Map<Integer, Float> logitBias;
    Set<Integer> bannedTokens;
    long seed;
    List<String> stopStrings;

    Editable(SamplerSettings s) {
      temperature = s.temperature;
      topK = s.topK;
      topP = s.topP;
      minP = s.minP;
      repetitionPenalty = s.repetitionPenalty;
      presencePenalty = s.presencePenalty;
      frequencyPenalty = s.frequencyPenalty;
      penaltyLastN = s.penaltyLastN;
      logitBias = s.logitBias;
      bannedTokens = s.bannedTokens;
      seed = s.seed;
      maxNewTokens = s.maxNewTokens;
      stopStrings = s.stopStrings;
    }

    SamplerSettings settings() {
      return new SamplerSettings(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
          penaltyLastN, logitBias, bannedTokens, seed, maxNewTokens, stopStrings);
    }
  }

  /** One line per setting, "name value", as the REPL's :show prints them. */
  public List<String> describe() {
    return List.of(
        "temperature " + num(temperature) + (greedy() ? " (greedy)" : ""),
        "top-k       " + (topK == 0 ? "off" : Integer.toString(topK)),
        "top-p       " + (topP == 1 ? "off" : num(topP)),
        "min-p       " + (minP == 0 ? "off" : num(minP)),
        "penalties   repetition " + num(repetitionPenalty) + ", presence " + num(presencePenalty)
            + ", frequency " + num(frequencyPenalty) + " over the last " + penaltyLastN + " tokens",
        "seed        " + seed,
        "max tokens  " + maxNewTokens,
        "stop        " + (stopStrings.isEmpty() ? "<|endoftext|> only" : quoteAll(stopStrings) + " and <|endoftext|>"),
        "logit bias  " + (logitBias.isEmpty() ? "none" : logitBias.toString()),
        "banned      " + (bannedTokens.isEmpty() ? "none" : bannedTokens.toString()));
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
    return String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+$", "");
  }

  private static String quoteAll(List<String> strings) {
    StringBuilder sb = new StringBuilder();
    for (String s : strings) sb.append(sb.isEmpty() ? "" : ", ").append(TokenText.quote(s));
    return sb.toString();
  }
}
