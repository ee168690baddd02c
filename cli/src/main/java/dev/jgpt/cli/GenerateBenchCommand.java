package dev.jgpt.cli;

import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.Backend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.WeightInit;
import dev.jgpt.transformer.interop.LoadedModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt bench generate}: generation speed of a model shape with random weights (or of a
 * trained run): tokens per second of the whole loop (KV-cache decode, sampling, text decoding,
 * window slides included), and the time to the first token after a prompt.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Measure generation speed: tokens/s with the KV cache and time to the first token.",
        "Default shape: nanoGPT's CPU recipe (4 layers x 128, 4 heads, context 64, vocabulary 65)."},
    footer = {"", "Examples:", "  jgpt bench generate", "  jgpt bench generate --preset default --block-size 256"})
final class GenerateBenchCommand implements Callable<Integer> {
  @Option(names = "--preset", paramLabel = "NAME", description = "Take the model shape from a training preset.")
  String preset;

  @Option(names = "--run", paramLabel = "DIR", description = "Benchmark a trained run instead of random weights.")
  Path run;

  @Option(names = "--n-layer", paramLabel = "N") Integer nLayer;
  @Option(names = "--n-head", paramLabel = "N") Integer nHead;
  @Option(names = "--n-embd", paramLabel = "N") Integer nEmbd;
  @Option(names = "--block-size", paramLabel = "N") Integer blockSize;
  @Option(names = "--vocab-size", paramLabel = "N") Integer vocabSize;

  @Option(names = "--tokens", paramLabel = "N", defaultValue = "1000", description = "Tokens per run (default ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--prompt-tokens", paramLabel = "P",
      description = "Prompt length before generating (default: half the context); 1 compares with llama-bench's tg.")
  Integer promptTokens;

  @Option(names = "--repeat", paramLabel = "R", defaultValue = "5", description = "Runs; medians are reported (default ${DEFAULT-VALUE}).")
  int repeat;

  @Mixin BackendOptions backendOptions;

  @Mixin WeightsOption weights; // --weights

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tokens < 1 || repeat < 1) {
      throw new ParameterException(spec.commandLine(), "--tokens and --repeat must be positive, got " + tokens + " and "
          + repeat);
    }
    try (LoadedModel model = weights.applyTo(run != null
        ? LoadedModel.open(run, backendOptions.choose(), backendOptions.device(), backendOptions.threads())
        : randomWeights())) {
      KvCacheModel kvModel = (KvCacheModel) model.model(); // LoadedModel.open makes a KvCacheModel
      GptConfig cfg = kvModel.config();
      Tokenizer tokenizer = model.tokenizer();
      Backend be = model.backend();
      System.out.println("model: " + kvModel.description() + " (" + be.description() + ")");
      GenerationLoop loop = new GenerationLoop(kvModel, tokenizer);
      int eot = GenerationLoop.endOfTextId(kvModel, tokenizer);
      // End-of-text is banned so every run generates all its tokens.
      SamplerSettings s = SamplerSettings.defaults().withMaxNewTokens(tokens).withTemperature(1.0)
          .withBannedTokens(eot >= 0 ? Set.of(eot) : Set.of());
      double[] rates = new double[repeat];
      double[] first = new double[repeat];
      int promptLength = promptTokens != null ? promptTokens : Math.max(1, cfg.blockSize() / 2);
      if (promptLength < 1 || promptLength >= cfg.blockSize()) {
        throw new ParameterException(spec.commandLine(), "--prompt-tokens must be between 1 and " + (cfg.blockSize() - 1)
            + " (the context is " + cfg.blockSize() + "), got " + promptLength);
      }
      for (int i = 0; i < repeat + 1; i++) { // the first run warms the JIT up and is not counted
        int[] prompt = new int[promptLength];
        for (int t = 0; t < promptLength; t++) prompt[t] = (t * 7 + i * 13 + 1) % Math.min(cfg.vocabSize(), 256);
        GenerationLoop.Result r = loop.generate(prompt, s.withSeed(i), 0, t -> {}, () -> false);
        if (i == 0) continue;
        // decoding only: the tokens after the first over the time after it (the prompt's prefill is timed below)
        long decodeNanos = r.nanos() - r.firstTokenNanos();
        int decoded = r.newTokens().length - 1;
        rates[i - 1] = decoded > 0 && decodeNanos > 0 ? decoded * 1e9 / decodeNanos : r.tokensPerSecond();
        first[i - 1] = r.firstTokenNanos() / 1e6;
      }
      double rate = median(rates);
      System.out.println(String.format(Locale.ROOT,
          "generation:  %,.0f tokens/s (%.3f ms/token; median of %d runs of %d tokens after a %d-token prompt, prefill "
              + "excluded, sampling and window slides included)",
          rate, 1000 / rate, repeat, tokens, promptLength));
      System.out.println(String.format(Locale.ROOT, "first token: %.2f ms after a %d-token prompt (median)",
          median(first), promptLength));
    }
    return 0;
  }

  /** The shape the flags give (--preset, --n-head...) with random weights, on bytes. */
  private LoadedModel randomWeights() {
    GptConfig cfg = Errors.usage(spec, this::shape);
    Backend be = backendOptions.open(KvCacheModel.threadsFor(cfg, backendOptions.threads()));
    try {
      float[] weights = WeightInit.initialParameters(new ParameterLayout(cfg), 1337);
      return new LoadedModel("random weights", KvCacheModel.withWeights(cfg, be, weights), Tokenizer.bytesOnly(), null, be);
    } catch (RuntimeException e) {
      be.close();
      throw e;
    }
  }

  private GptConfig shape() {
    int v = 65, t = 64, l = 4, h = 4, c = 128;
    if (preset != null) {
      TrainConfig p = Presets.get(preset);
      v = p.vocabSize() == 256 ? 257 : p.vocabSize(); // bytes only: 256 bytes and <|endoftext|>
      t = p.blockSize();
      l = p.nLayer();
      h = p.nHead();
      c = p.nEmbd();
    }
    if (vocabSize != null) v = vocabSize;
    if (blockSize != null) t = blockSize;
    if (nLayer != null) l = nLayer;
    if (nHead != null) h = nHead;
    if (nEmbd != null) c = nEmbd;
    if (v > 257) throw new ParameterException(spec.commandLine(), "--vocab-size above 257 needs a trained run (--run DIR): the benchmark decodes bytes");
    return GptConfig.of(v, t, l, h, c, true, 0f).validate();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
