package dev.jgpt.cli;

import dev.jgpt.transformer.SamplerSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Option;

/** Sampling flags shared by {@code jgpt generate} and {@code jgpt repl}; unset flags keep the defaults. */
final class GenerateOptions {
  @Option(names = "--max-new-tokens", paramLabel = "N", description = "Generate at most N tokens (default 500).")
  Integer maxNewTokens;

  @Option(names = "--temperature", paramLabel = "T", description = "Divides the logits; 0 = greedy (default 0.8).")
  Double temperature;

  @Option(names = "--top-k", paramLabel = "K", description = "Sample from the K most likely tokens only (0 = off).")
  Integer topK;

  @Option(names = "--top-p", paramLabel = "P", description = "Sample from the most likely tokens making up mass P (1 = off).")
  Double topP;

  @Option(names = "--min-p", paramLabel = "M", description = "Drop tokens less than M times as likely as the top one (0 = off).")
  Double minP;

  @Option(names = "--repetition-penalty", paramLabel = "R", description = "Divide positive logits of recent tokens by R (1 = off).")
  Double repetitionPenalty;

  @Option(names = "--presence-penalty", paramLabel = "V", description = "Subtract V from logits of tokens already in the recent context.")
  Double presencePenalty;

  @Option(names = "--frequency-penalty", paramLabel = "V", description = "Subtract V per occurrence in the recent context.")
  Double frequencyPenalty;

  @Option(names = "--penalty-last-n", paramLabel = "N", description = "Recent context tokens the penalties look at (default 64).")
  Integer penaltyLastN;

  @Option(names = "--logit-bias", paramLabel = "ID=BIAS", split = ",", description = "Add BIAS to token ID's logit (repeatable).")
  List<String> logitBias = new ArrayList<>();

  @Option(names = "--ban", paramLabel = "ID", split = ",", description = "Never generate token ID (repeatable).")
  List<Integer> banned = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the random draws: the same seed and settings give the same text (default: random).")
  Long seed;

  @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the text contains TEXT (repeatable; \\n is a newline). Always: <|endoftext|>.")
  List<String> stop = new ArrayList<>();

  /** The settings these flags describe. */
  SamplerSettings settings() {
    SamplerSettings s = SamplerSettings.defaults().withSeed(seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48));
    if (maxNewTokens != null) s = s.withMaxNewTokens(maxNewTokens);
    if (temperature != null) s = s.withTemperature(temperature);
    if (topK != null) s = s.withTopK(topK);
    if (topP != null) s = s.withTopP(topP);
    if (minP != null) s = s.withMinP(minP);
    if (repetitionPenalty != null) s = s.withRepetitionPenalty(repetitionPenalty);
    if (presencePenalty != null) s = s.withPresencePenalty(presencePenalty);
    if (frequencyPenalty != null) s = s.withFrequencyPenalty(frequencyPenalty);
    if (penaltyLastN != null) s = s.withPenaltyLastN(penaltyLastN);
    Map<Integer, Float> bias = new LinkedHashMap<>();
    for (String b : logitBias) {
      String[] kv = b.split("=", 2);
      try {
        bias.put(Integer.parseInt(kv[0].strip()), Float.parseFloat(kv[1].strip()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("--logit-bias needs ID=BIAS like 198=-5, got '" + b + "'");
      }
    }
    if (!bias.isEmpty()) s = s.withLogitBias(bias);
    if (!banned.isEmpty()) s = s.withBannedTokens(new LinkedHashSet<>(banned));
    if (!stop.isEmpty()) s = s.withStopStrings(stop.stream().map(GenerateOptions::unescape).toList());
    return s;
  }

  /** \n, \t and \\ in a flag value (shells make real newlines awkward). */
  static String unescape(String s) {
    return s.replace("\\\\", "\u0000").replace("\\n", "\n").replace("\\t", "\t").replace("\u0000", "\\");
  }
}
