package dev.jgpt.transformer;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.cpu.RowOpsAllocation;
import java.lang.management.ManagementFactory;

/**
 * Run in a JVM of its own by {@link StepAllocationTest}: a small model on the CPU backend (2
 * threads) trains for a number of warm-up steps, then runs a number of warm-up cycles of KV-cache
 * decode steps with f32 and with bf16 weights (and f32 with a head large enough to stream, with an
 * F32 and a bf16 KV cache), then prints the heap bytes that one more training
 * step and one more decode cycle (or {@code measured} of each) allocate, summed over every Java
 * thread (the caller and the pool's workers); the row ops' bytes per call after a number of
 * warm-up windows ({@link RowOpsAllocation#measureAfterWindows}) come first, in a JVM that has
 * run nothing else yet, as in {@code jgpt bench kernels}. Output lines: {@code train
 * BYTES}, {@code decode BYTES}, {@code row op BYTES_PER_CALL NAME}. Arguments: training warm-up
 * steps, decode warm-up cycles, row-op warm-up windows[, measured steps and cycles].
 *
 * <p>The training step has every op kind: embeddings, layer norm, the fused GELU matmuls,
 * attention, dropout, the fused cross-entropy, gradient norm with clipping and AdamW.
 */
public final class StepAllocationMain {
  private StepAllocationMain() {}

  static final int B = 2, T = 32, DECODE_LENGTH = 20;
  /** 8192 x 64 floats of tied head, above CpuMatmul.GEMV_CACHED_FLOATS: a decode matmul that streams. */
  static final int WIDE_VOCAB = 8192;

  public static void main(String[] args) {
    int trainWarmUp = Integer.parseInt(args[0]), decodeWarmUp = Integer.parseInt(args[1]);
    int rowOpWindows = Integer.parseInt(args[2]);
    int measured = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    for (RowOpsAllocation.Result r : RowOpsAllocation.measureAfterWindows(rowOpWindows)) {
      System.out.println("row op " + r.bytesPerCall() + " " + r.op());
    }
    GptConfig cfg = GptConfig.of(100, T, 2, 4, 64, true, 0.1f);
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (Backend backend = Backends.open("cpu", 2); Gpt model = new Gpt(cfg, backend, B, T)) {
      model.initWeights(1);
      int[] inputs = GptTestSupport.randomTokens(1, 0, B * T, cfg.vocabSize());
      int[] targets = GptTestSupport.randomTokens(1, 1, B * T, cfg.vocabSize());
      KvCacheModel f32 = KvCacheModel.forModel(model);
      KvCacheModel bf16 = KvCacheModel.forModel(model);
      bf16.useWeights(WeightFormat.BF16);
      // a head too large to stay in cache: its decode matmul streams the weights (CpuMatmul.gemv's other path);
      // one head of 64: a bf16 KV cache then takes its vector loops at 8 and 16 lanes
      GptConfig wideCfg = GptConfig.of(WIDE_VOCAB, T, 1, 1, 64, true, 0f);
      float[] wideWeights = WeightInit.initialParameters(new ParameterLayout(wideCfg), 1);
      KvCacheModel wide = KvCacheModel.withWeights(wideCfg, backend, wideWeights);
      KvCacheModel wideKv16 = KvCacheModel.withWeights(wideCfg, backend, wideWeights);
      wideKv16.useKvCache(WeightFormat.BF16);
      int[] sequence = GptTestSupport.randomTokens(1, 2, DECODE_LENGTH, cfg.vocabSize());
      long[] threads = mx.getAllThreadIds(); // the pool's workers exist from the backend's start
      for (int step = 0; step < trainWarmUp; step++) trainStep(model, inputs, targets, step);
      for (int cycle = 0; cycle < decodeWarmUp; cycle++) decodeCycle(f32, bf16, wide, wideKv16, sequence);
      long nothing = -allocated(mx, threads) + allocated(mx, threads); // what measuring itself costs
      System.err.println("measuring from " + java.time.LocalTime.now()); // to match a flight recording's times
      long before = allocated(mx, threads);
      for (int step = trainWarmUp; step < trainWarmUp + measured; step++) trainStep(model, inputs, targets, step);
      long train = allocated(mx, threads) - before - nothing;
      before = allocated(mx, threads);
      for (int cycle = 0; cycle < measured; cycle++) decodeCycle(f32, bf16, wide, wideKv16, sequence);
      long decode = allocated(mx, threads) - before - nothing;
      System.out.println("train " + train);
      System.out.println("decode " + decode);
    }
  }

  private static void trainStep(Gpt model, int[] inputs, int[] targets, int step) {
    model.forwardBackward(inputs, targets, 1f / (B * T), step);
    model.optimizerStep(1e-3f, step + 1, 0.9f, 0.95f, 1e-8f, 0.1f, 0.5f);
  }

  // one decode step per call: each length extends the cached context by one position
  private static void decodeCycle(KvCacheModel f32, KvCacheModel bf16, KvCacheModel wide, KvCacheModel wideKv16,
      int[] sequence) {
    for (int length = 1; length <= DECODE_LENGTH; length++) {
      f32.nextLogits(sequence, length);
      bf16.nextLogits(sequence, length);
      wide.nextLogits(sequence, length);
      wideKv16.nextLogits(sequence, length);
    }
  }

  // heap bytes allocated so far by the given threads
  private static long allocated(com.sun.management.ThreadMXBean mx, long[] threads) {
    long sum = 0;
    for (long id : threads) sum += Math.max(0, mx.getThreadAllocatedBytes(id));
    return sum;
  }
}
