package dev.jgpt.cli;

import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.ProfilingBackend;
import dev.jgpt.tokenizer.Tokenizer;
import dev.jgpt.transformer.GenerationLoop;
import dev.jgpt.transformer.KvCacheModel;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.ParameterLayout;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.SamplerSettings;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.WeightFormat;
import dev.jgpt.transformer.WeightInit;
import dev.jgpt.transformer.interop.LoadedModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

  @Option(names = "--profile", description = {"Also print where the last run's decoding spends its time, op by op,",
      "and how fast the matmuls read their weights."})
  boolean profile;

  @Mixin BackendOptions backendOptions;

  @Mixin WeightsOption weights; // --weights

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tokens < 1 || repeat < 1) {
      throw new ParameterException(spec.commandLine(), "--tokens and --repeat must be positive, got " + tokens + " and "
          + repeat);
    }
    Backends.Choice choice = backendOptions.choose();
    ProfiledProvider profiled = profile ? new ProfiledProvider(choice.provider()) : null;
    if (profiled != null) choice = new Backends.Choice(profiled, choice.reason());
    try (LoadedModel model = weights.applyTo(run != null
        ? LoadedModel.open(run, choice, backendOptions.device(), backendOptions.threads())
        : randomWeights(choice))) {
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
      GenerationLoop.Result last = null;
      for (int i = 0; i < repeat + 1; i++) { // the first run warms the JIT up and is not counted
        int[] prompt = new int[promptLength];
        for (int t = 0; t < promptLength; t++) prompt[t] = (t * 7 + i * 13 + 1) % Math.min(cfg.vocabSize(), 256);
        // the profile covers the last run's decoding: it starts once that run's first token is out
        boolean profileThisRun = profile && i == repeat;
        boolean[] firstToken = {true};
        GenerationLoop.Result r = loop.generate(prompt, s.withSeed(i), 0, t -> {
          if (profileThisRun && firstToken[0]) profiled.profiler().reset();
          firstToken[0] = false;
        }, () -> false);
        if (i == 0) continue;
        last = r;
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
      if (profile) printProfile(profiled.profiler(), last, kvModel.weightFormat());
    }
    return 0;
  }

  /**
   * The op table of the last run's decoding (its tokens after the first: one decode step each,
   * and sampling and text decoding outside the ops), then the matmuls by shape and the rate at
   * which they read their weights, which bounds decoding on a CPU.
   */
  private static void printProfile(ProfilingBackend be, GenerationLoop.Result last, WeightFormat format) {
    int decoded = last.newTokens().length - 1;
    if (decoded < 1) {
      System.out.println("profile: no token after the first to profile (use --tokens 2 or more)");
      return;
    }
    double tokenNanos = (double) (last.nanos() - last.firstTokenNanos()) / decoded;
    System.out.println();
    System.out.println("time per kind of op in one decoded token (a step is one token; the last run's " + decoded
        + " tokens after its first, with the prefills of any window slides):");
    new OpBreakdown(be.totals(), decoded, tokenNanos, Double.NaN).print(System.out);
    System.out.println();
    System.out.println("matmuls by shape (per token):");
    List<ProfilingBackend.MatmulShapeTotal> shapes = be.matmulShapes();
    new MatmulShapeBreakdown(shapes, decoded, Double.NaN).print(System.out);
    if (be.name().equals("tornado")) {
      // a capturing backend records the ops and runs them at the step's end: no per-op time to rate
      System.out.println("matmul weights: not rated on tornado (its ops run at the step's end, under step begin/end)");
      return;
    }
    double bytes = 0, nanos = 0;
    int weightBytes = format == WeightFormat.BF16 ? 2 : Float.BYTES;
    for (ProfilingBackend.MatmulShapeTotal m : shapes) {
      bytes += (double) m.calls() * m.C() * m.OC() * weightBytes;
      nanos += m.nanos();
    }
    if (nanos > 0) {
      System.out.println(String.format(Locale.ROOT,
          "matmul weights: %s a token (%s), read at %.1f GB/s; the matmuls alone would decode %,.0f tokens/s",
          MemoryEstimate.bytes(Math.round(bytes / decoded)), format.name().toLowerCase(Locale.ROOT), bytes / nanos,
          decoded * 1e9 / nanos));
    }
  }

  /** The shape the flags give (--preset, --n-head...) with random weights, on bytes. */
  private LoadedModel randomWeights(Backends.Choice choice) {
    GptConfig cfg = Errors.usage(spec, this::shape);
    Backend be = backendOptions.open(choice, KvCacheModel.threadsFor(cfg, backendOptions.threads()));
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
