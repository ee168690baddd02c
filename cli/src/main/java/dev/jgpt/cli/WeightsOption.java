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
 * twice as fast on memory-bound CPUs, at bf16's rounding of the logits.
 */
public final class WeightsOption {
  private WeightFormat format = WeightFormat.F32;

  @Option(names = "--weights", paramLabel = "FORMAT", defaultValue = "f32",
      description = "Weights for generating: f32, or bf16 (half the memory traffic per token, logits within bf16's "
          + "rounding; cpu and reference backends) (default ${DEFAULT-VALUE}).")
  void weights(String value) {
    try {
      format = WeightFormat.parse(value);
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
   * Switches {@code loaded}'s model to the format asked for; closes it and rethrows when that is
   * refused (a backend without bf16, a heap too small for the copies).
   */
  public LoadedModel applyTo(LoadedModel loaded) {
    if (format == WeightFormat.F32) return loaded;
    try {
      if (loaded.model() instanceof KvCacheModel kv) kv.useWeights(format);
      return loaded;
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
  }
}
