package dev.jgpt.cli;

import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.tokenizer.TokenText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

  @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the text contains TEXT (repeatable; \\n is a newline, \\t a tab). Always: <|endoftext|>.")
  List<String> stop = new ArrayList<>();

  @Spec(Spec.Target.MIXEE)
  CommandSpec command; // generate or repl: usage errors name it

  /**
   * The settings these flags describe. A value the sampler rejects (--top-p 2) is a usage error
   * that names the flag, as picocli's own are.
   */
  SamplerSettings settings() {
    SamplerSettings s = SamplerSettings.defaults().withSeed(seed != null ? seed : ThreadLocalRandom.current().nextLong(1L << 48));
    s = set(s, "--max-new-tokens", maxNewTokens, SamplerSettings::withMaxNewTokens);
    s = set(s, "--temperature", temperature, SamplerSettings::withTemperature);
    s = set(s, "--top-k", topK, SamplerSettings::withTopK);
    s = set(s, "--top-p", topP, SamplerSettings::withTopP);
    s = set(s, "--min-p", minP, SamplerSettings::withMinP);
    s = set(s, "--repetition-penalty", repetitionPenalty, SamplerSettings::withRepetitionPenalty);
    s = set(s, "--presence-penalty", presencePenalty, SamplerSettings::withPresencePenalty);
    s = set(s, "--frequency-penalty", frequencyPenalty, SamplerSettings::withFrequencyPenalty);
    s = set(s, "--penalty-last-n", penaltyLastN, SamplerSettings::withPenaltyLastN);
    Map<Integer, Float> bias = new LinkedHashMap<>();
    for (String b : logitBias) {
      String[] kv = b.split("=", 2);
      try {
        bias.put(Integer.parseInt(kv[0].strip()), FiniteNumbers.parseFloat(kv[1]));
      } catch (RuntimeException e) {
        throw new ParameterException(command.commandLine(), "--logit-bias needs ID=BIAS like 198=-5, got '" + b + "'");
      }
    }
    if (!bias.isEmpty()) s = set(s, "--logit-bias", bias, SamplerSettings::withLogitBias);
    if (!banned.isEmpty()) s = set(s, "--ban", new LinkedHashSet<>(banned), SamplerSettings::withBannedTokens);
    if (!stop.isEmpty()) s = set(s, "--stop", stop.stream().map(TokenText::unescape).toList(), SamplerSettings::withStopStrings);
    return s;
  }

  /** {@code s} with {@code value} set by {@code with}, or {@code s} when the flag was not given. */
  private <T> SamplerSettings set(SamplerSettings s, String flag, T value, BiFunction<SamplerSettings, T, SamplerSettings> with) {
    if (value == null) return s;
    try {
      return with.apply(s, value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), "invalid value for " + flag + ": " + e.getMessage());
    }
  }
}
