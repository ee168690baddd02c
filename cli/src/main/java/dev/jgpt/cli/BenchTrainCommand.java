package dev.jgpt.cli;

import static dev.jgpt.transformer.TrainConfigKey.BATCH_SIZE;
import static dev.jgpt.transformer.TrainConfigKey.BLOCK_SIZE;
import static dev.jgpt.transformer.TrainConfigKey.DROPOUT;
import static dev.jgpt.transformer.TrainConfigKey.GRAD_ACCUM;
import static dev.jgpt.transformer.TrainConfigKey.N_EMBD;
import static dev.jgpt.transformer.TrainConfigKey.N_HEAD;
import static dev.jgpt.transformer.TrainConfigKey.N_LAYER;
import static dev.jgpt.transformer.TrainConfigKey.VOCAB_SIZE;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.ProfilingBackend;
import dev.jgpt.kernels.cpu.PeakFlops;
import dev.jgpt.transformer.Gpt;
import dev.jgpt.transformer.GptConfig;
import dev.jgpt.transformer.HeapBudget;
import dev.jgpt.transformer.MemoryCheck;
import dev.jgpt.transformer.MemoryEstimate;
import dev.jgpt.transformer.Presets;
import dev.jgpt.transformer.RunDirectory;
import dev.jgpt.transformer.TrainConfig;
import dev.jgpt.transformer.TrainConfigKey;
import dev.jgpt.transformer.Trainer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt bench train}: the speed of training steps at a preset's (or a given) shape, with
 * random weights and random token ids, so no corpus, tokenizer or run folder is involved: the
 * median ms/step and tokens/s over the timed steps, the model's FLOPs as % of this machine's FMA
 * peak, a per-op breakdown of a step (through {@link ProfilingBackend}), and memory (the
 * estimate {@code jgpt train} prints, and the process's peak resident set).
 *
 * <p>A step is what {@code jgpt train} times: zero the gradients, forward + backward for each
 * micro-batch, AdamW with clipping; evaluation, logging and checkpoints are left out.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {"Measure training speed at a model shape with random weights and tokens: ms/step, tokens/s,",
        "%% of this machine's FP32 FMA peak, the time of each kind of op in a step, and peak memory.",
        "Default shape: the nanogpt-cpu preset (4 layers x 128, 4 heads, context 64, batch 12)."},
    footer = {"", "Examples:", "  jgpt bench train", "  jgpt bench train --preset baby-gpt --steps 3 --warmup 1",
        "  jgpt bench train --n-layer 12 --n-head 12 --n-embd 768 --vocab-size 50257 --batch-size 4 --block-size 64",
        "  JGPT_JAVA_OPTS=-XX:UseAVX=2 jgpt bench train   (on an AVX-512 machine: as an AVX2 CPU runs it)"})
final class BenchTrainCommand implements Callable<Integer> {
  @Option(names = "--preset", paramLabel = "NAME", defaultValue = "nanogpt-cpu",
      description = "Take shape, batch and optimizer settings from a training preset (default ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--n-layer", paramLabel = "N") Integer nLayer;
  @Option(names = "--n-head", paramLabel = "N") Integer nHead;
  @Option(names = "--n-embd", paramLabel = "N") Integer nEmbd;
  @Option(names = "--block-size", paramLabel = "N") Integer blockSize;
  @Option(names = "--vocab-size", paramLabel = "N", description = "Vocabulary (256 = bytes, counted as 257 with <|endoftext|>).")
  Integer vocabSize;
  @Option(names = "--batch-size", paramLabel = "N") Integer batchSize;
  @Option(names = "--grad-accum", paramLabel = "N") Integer gradAccum;
  @Option(names = "--dropout", paramLabel = "P") Double dropout;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Timed steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", paramLabel = "N",
      description = "Untimed steps first, for the JIT (default: " + DEFAULT_WARMUP_STEPS + " steps, and more until "
          + DEFAULT_WARMUP_SECONDS + " s have passed).")
  Integer warmup;

  /**
   * The default warm-up: at least this many steps and this long. An op called once a step (the
   * loss, the optimizer) has run only a few times after 5 steps of a small model, and C2 compiles
   * a method after thousands of calls, so its time would be the interpreter's or C1's: on the
   * nanogpt-cpu shape, softmax + cross-entropy measured 0.7-2.9 ms a step after 5 steps, 0.19 after 3 s.
   */
  static final int DEFAULT_WARMUP_STEPS = 5, DEFAULT_WARMUP_SECONDS = 3;


  @Mixin BackendOptions backendOptions; // --backend, --device, --threads

  @Option(names = "--peak-gflops", paramLabel = "G",
      description = "This machine's FP32 peak for the %% of peak figures, instead of measuring it (a short FMA loop that"
          + " other processes on the cores pull down), e.g. from `jgpt bench kernels` on a quiet machine.")
  Double peakGflops;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (peakGflops != null && !(peakGflops > 0 && Double.isFinite(peakGflops))) {
      throw new ParameterException(spec.commandLine(), "--peak-gflops must be a positive number, got " + peakGflops);
    }
    int threads = backendOptions.threads();
    if (steps < 1 || warmup != null && warmup < 0) {
      throw new ParameterException(spec.commandLine(), "--steps must be 1 or more and --warmup 0 or more; got " + steps + " and "
          + warmup);
    }
    TrainConfig config = Errors.usage(spec, this::settings);
    GptConfig cfg = Errors.usage(spec, () -> RunDirectory.modelConfig(config, vocabulary(config)));
    int B = config.batchSize(), T = config.blockSize();
    PrintStream out = System.out;
    try (ProfilingBackend be = new ProfilingBackend(backendOptions.open(threads))) {
      // the estimate counts heap buffers only for a heap backend: ask the profiled one, not the wrapper
      MemoryEstimate need = Gpt.trainingMemory(cfg, be.delegate(), B, T);
      MemoryCheck.requireFits(need, HeapBudget.current(), "--batch-size (" + B + ") or --block-size (" + T + ")");
      double flopsPerStep = Trainer.flopsPerToken(cfg, T) * config.tokensPerStep();
      int shards = Gpt.shardCount(cfg, be, B);
      out.println(String.format(Locale.ROOT,
          "model: %,d parameters, %d layers x %d wide, %d heads, context %d, vocab %d; batch %d x %d%s = %,d tokens/step%s (%s)",
          Trainer.trainableParameters(cfg), cfg.nLayer(), cfg.nEmbd(), cfg.nHead(), T, cfg.vocabSize(), B, T,
          config.gradAccum() > 1 ? " x " + config.gradAccum() + " micro-batches" : "", config.tokensPerStep(),
          shards > 1 ? " in " + shards + " data-parallel shards" : "", be.description()));
      double peak = peakGflops != null ? peakGflops : be.name().equals("tornado") ? Double.NaN
          : PeakFlops.measure(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), 300, 5);
      if (Double.isFinite(peak)) {
        out.println(String.format(Locale.ROOT, "FP32 FMA peak: %.1f GFLOP/s (%s)", peak,
            peakGflops != null ? "--peak-gflops" : "measured now, best of 5 runs of 300 ms"));
      }
      Timed timed = run(be, cfg, config);
      double[] stepNanos = timed.stepNanos();
      double median = median(stepNanos), mean = Arrays.stream(stepNanos).average().orElseThrow();
      double gflops = flopsPerStep / median;
      out.println(String.format(Locale.ROOT,
          "training: %.2f ms/step, %,.0f tokens/s, %.1f GFLOP/s%s (median of %d steps after %d warm-up; min %.2f, max %.2f ms)",
          median / 1e6, config.tokensPerStep() * 1e9 / median, gflops,
          Double.isFinite(peak) ? String.format(Locale.ROOT, " = %.0f%% of FMA peak", 100 * gflops / peak) : "",
          steps, timed.warmupSteps(), Arrays.stream(stepNanos).min().orElseThrow() / 1e6,
          Arrays.stream(stepNanos).max().orElseThrow() / 1e6));
      OptionalLong rss = ProcessMemory.peakResidentBytes();
      out.println("memory: " + MemoryEstimate.bytes(need.totalBytes()) + " estimated (" + need.breakdown() + "); "
          + (rss.isPresent() ? "peak resident " + MemoryEstimate.bytes(rss.getAsLong()) + " (VmHWM, the whole process)"
              : "peak resident not known here (no /proc/self/status)"));
      out.println();
      out.println("time per kind of op in one step (mean of the " + steps + " timed steps):");
      new OpBreakdown(be.totals(), steps, mean, peak).print(out);
      out.println();
      out.println("matmuls by shape (the rows above split; per step):");
      new MatmulShapeBreakdown(be.matmulShapes(), steps, peak).print(out);
    }
    return 0;
  }

  /** The wall time of each timed step (ns), and how many untimed steps came first. */
  private record Timed(double[] stepNanos, int warmupSteps) {}

  /**
   * Runs the warm-up and timed steps; returns the wall time of each timed step. The profiler is
   * reset after the warm-up, so its totals cover the timed steps only.
   */
  private Timed run(ProfilingBackend be, GptConfig cfg, TrainConfig config) {
    int B = config.batchSize(), T = config.blockSize(), micro = config.gradAccum();
    double[] nanos = new double[steps];
    int[] inputs = new int[B * T], targets = new int[B * T]; // (B, T) token ids of one micro-batch
    SplittableRandom rng = new SplittableRandom(config.seed());
    try (Gpt model = new Gpt(cfg, be, B, T)) {
      model.initWeights(config.seed());
      float dlossScale = 1f / (B * T * micro);
      long warmupEnd = System.nanoTime() + DEFAULT_WARMUP_SECONDS * 1_000_000_000L;
      int warmupSteps = -1; // known once the warm-up ends
      for (int step = 0; warmupSteps < 0 || step < warmupSteps + steps; step++) {
        if (warmupSteps < 0 && warmupDone(step, warmupEnd)) {
          warmupSteps = step;
          be.reset();
        }
        long t0 = System.nanoTime();
        model.zeroGrads();
        for (int m = 0; m < micro; m++) {
          randomTokens(rng, inputs, targets, cfg.vocabSize()); // a few µs, as the trainer's batch loader
          model.forwardBackward(inputs, targets, dlossScale, step);
        }
        model.optimizerStep((float) config.learningRate(), step + 1, (float) config.beta1(), (float) config.beta2(),
            1e-8f, (float) config.weightDecay(), (float) config.gradClip());
        if (warmupSteps >= 0) nanos[step - warmupSteps] = System.nanoTime() - t0;
      }
      return new Timed(nanos, warmupSteps);
    }
  }

  // whether the warm-up ends before this step: --warmup steps if given, else the default's steps and time
  private boolean warmupDone(int step, long warmupEndNanos) {
    if (warmup != null) return step >= warmup;
    return step >= DEFAULT_WARMUP_STEPS && System.nanoTime() >= warmupEndNanos;
  }

  /** targets are the inputs shifted by one, as in a corpus batch. */
  private static void randomTokens(SplittableRandom rng, int[] inputs, int[] targets, int V) {
    int next = rng.nextInt(V);
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = next;
      next = rng.nextInt(V);
      targets[i] = next;
    }
  }

  /** The preset, then the flags given. */
  private TrainConfig settings() {
    TrainConfig c = Presets.get(preset);
    c = with(c, N_LAYER, nLayer);
    c = with(c, N_HEAD, nHead);
    c = with(c, N_EMBD, nEmbd);
    c = with(c, BLOCK_SIZE, blockSize);
    c = with(c, VOCAB_SIZE, vocabSize);
    c = with(c, BATCH_SIZE, batchSize);
    c = with(c, GRAD_ACCUM, gradAccum);
    c = with(c, DROPOUT, dropout);
    return c.validate();
  }

  private static TrainConfig with(TrainConfig c, TrainConfigKey key, Object value) {
    return value == null ? c : c.with(key, value);
  }

  /** The model's vocabulary: 256 means bytes, which a byte-level tokenizer extends with <|endoftext|>. */
  private static int vocabulary(TrainConfig c) {
    return c.vocabSize() == 256 ? 257 : c.vocabSize();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
