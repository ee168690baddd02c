package dev.jgpt.cli;

import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.WeightFormat;
import dev.jgpt.transformer.interop.LoadedModel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --weights f32|bf16}: the format a loaded model decodes with (generate, score, repl,
 * bench generate). bf16 halves the bytes each generated token reads, so generation runs up to
 * twice as fast on memory-bound CPUs, at bf16's rounding of the logits. {@code --kv-cache
 * f32|bf16} does the same for the keys and values of the positions so far, which a token reads
 * too (at GPT-2's shape and 1,024 positions, 71 MB a token in F32 beside 494 MB of weights).
 */
public final class WeightsOption {
  private WeightFormat format = WeightFormat.F32;

  @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "f32",
      description = "Weights for generating: f32, or bf16 (half the memory traffic per token, logits within bf16's "
          + "rounding; cpu and reference backends) (default ${DEFAULT-VALUE}).")
  void weights(String value) {
    format = parsed(value, "--weights");
  }

  private WeightFormat kvCache = WeightFormat.F32;

  @Option(names = "--kv-cache", paramLabel = "FORMAT", defaultValue = "f32",
      description = "Keys and values of past positions: f32, or bf16 (half the bytes each token reads from them, "
          + "which matters at long contexts; cpu backend) (default ${DEFAULT-VALUE}).")
  void kvCache(String value) {
    kvCache = parsed(value, "--kv-cache");
  }

  // value as a format; a usage error naming the flag otherwise
  private WeightFormat parsed(String value, String flag) {
    try {
      return WeightFormat.parse(value, flag);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }

  @Spec(Spec.Target.MIXEE)
  CommandSpec command; // the command using the option: usage errors name it

  public WeightFormat format() {
    return format;
  }

  /**
   * Switches {@code loaded}'s model to the formats asked for; closes it and rethrows when that is
   * refused (a backend without bf16, a heap too small for the copies, an odd head size).
   */
  public LoadedModel applyTo(LoadedModel loaded) {
    if (format == WeightFormat.F32 && kvCache == WeightFormat.F32) return loaded;
    try {
      if (loaded.model() instanceof KvCacheModel kv) {
        kv.useWeights(format);
        kv.useKvCache(kvCache);
      }
      return loaded;
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
  }
}
