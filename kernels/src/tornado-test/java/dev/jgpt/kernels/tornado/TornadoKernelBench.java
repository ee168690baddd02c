package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.StepScalars;
import dev.jgpt.kernels.cpu.CpuBackend;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Per-kernel times on the TornadoVM device beside the CPU backend, at nanoGPT's CPU-recipe shapes
 * (B=12, T=64, C=128, NH=4, byte vocabulary padded to 320). Not a test: run it with
 * {@code mvn -pl kernels test -Dtest=TornadoKernelBench -Djgpt.tornado.bench=true} (TORNADOVM_HOME set).
 * Each op is its own captured step on the device, timed on replays; each timed call ends with a
 * one-float read, so asynchronous work is included. Medians of REPEAT calls after WARMUP.
 */
@EnabledIfSystemProperty(named = "jgpt.tornado.bench", matches = "true")
class TornadoKernelBench {
  static final int B = 12, T = 64, C = 128, NH = 4, V = 256, Vp = 320, N = B * T;
  static final int WARMUP = 3, REPEAT = Integer.getInteger("jgpt.tornado.bench.repeat", 15);

  /** One backend's buffers for every op below. */
  static final class Bufs {
    final FloatBuf f;
    final IntBuf ids;
    final Slice inp, w, bias, out, dout, dinp, dw, dbias, qkv, att, aout, datt, dqkv, ln, mean, rstd, lw, lb;
    final Slice logits, losses, params, grads, m, v, scalars, wide, wide2;

    Bufs(Backend be, long seed) {
      int[] sizes = {N * C, 4 * C * C, 4 * C, N * 4 * C, N * 4 * C, N * C, 4 * C * C, 4 * C, N * 3 * C, B * NH * T * T,
          N * C, N * C, N * 3 * C, N * C, N, N, C, C, N * Vp, N, 800_000, 800_000, 800_000, 800_000, StepScalars.SIZE,
          N * 4 * C, N * 4 * C};
      // One buffer per kind, as the model allocates them (the TornadoVM backend needs a kernel's
      // weights, gradients and moments apart from its activations); slice i of kind[i].
      BufferKind[] kinds = new BufferKind[sizes.length];
      Arrays.fill(kinds, BufferKind.ACTIVATIONS);
      for (int i : new int[] {1, 2, 16, 17, 20}) kinds[i] = BufferKind.PARAMETERS; // w, bias, lw, lb, params
      for (int i : new int[] {6, 7, 21}) kinds[i] = BufferKind.GRADIENTS; // dw, dbias, grads
      for (int i : new int[] {22, 23}) kinds[i] = BufferKind.OPTIMIZER_STATE; // m, v
      Random rng = new Random(seed);
      Slice[] s = new Slice[sizes.length];
      FloatBuf acts = null;
      for (BufferKind kind : BufferKind.values()) {
        int total = 0;
        for (int i = 0; i < sizes.length; i++) total += kinds[i] == kind ? sizes[i] : 0;
        FloatBuf buf = be.allocFloat("bench_" + kind, total, kind);
        if (kind == BufferKind.ACTIVATIONS) acts = buf;
        float[] x = new float[total];
        for (int i = 0; i < total; i++) x[i] = 0.1f * (float) rng.nextGaussian();
        int o = 0;
        for (int i = 0; i < sizes.length; i++) {
          if (kinds[i] != kind) continue;
          s[i] = buf.slice(o, sizes[i]);
          if (i == 23) for (int j = o; j < o + sizes[i]; j++) x[j] = Math.abs(x[j]); // v >= 0
          if (i == 24) {
            x[o + StepScalars.LR] = 1e-3f;
            x[o + StepScalars.ADAM_T] = 5f;
            x[o + StepScalars.MAX_GRAD_NORM] = 1f;
          }
          o += sizes[i];
        }
        be.write(buf, 0, x, 0, total);
      }
      f = acts;
      int k = 0;
      inp = s[k++]; w = s[k++]; bias = s[k++]; out = s[k++]; dout = s[k++]; dinp = s[k++]; dw = s[k++];
      dbias = s[k++]; qkv = s[k++]; att = s[k++]; aout = s[k++]; datt = s[k++]; dqkv = s[k++]; ln = s[k++];
      mean = s[k++]; rstd = s[k++]; lw = s[k++]; lb = s[k++]; logits = s[k++]; losses = s[k++]; params = s[k++];
      grads = s[k++]; m = s[k++]; v = s[k++]; scalars = s[k++]; wide = s[k++]; wide2 = s[k++];
      ids = be.allocInt("ids", N);
      int[] t = new int[N];
      for (int i = 0; i < N; i++) t[i] = rng.nextInt(V);
      be.write(ids, 0, t, 0, N);
    }
  }

  record Op(String name, BiConsumer<Backend, Bufs> body) {}

  static final Op[] OPS = {
      new Op("matmulForward N=768 C=128 OC=512", (be, b) -> be.matmulForward(b.out, b.inp, b.w,
          b.bias, N, C, 4 * C)),
      new Op("matmulBackward N=768 C=128 OC=512", (be, b) -> be.matmulBackward(b.dinp, b.dw, b.dbias,
          b.dout, b.inp, b.w, N, C, 4 * C)),
      new Op("attentionForward B=12 T=64 C=128 NH=4", (be, b) -> be.attentionForward(b.aout, b.att,
          b.qkv, B, T, C, NH)),
      new Op("attentionBackward", (be, b) -> be.attentionBackward(b.dqkv, b.datt, b.qkv, b.att, B,
          T, C, NH)),
      new Op("layernormForward N=768 C=128", (be, b) -> be.layernormForward(b.ln, b.mean, b.rstd,
          b.inp, b.lw, b.lb, N, C)),
      new Op("layernormBackward", (be, b) -> be.layernormBackward(b.dinp, b.dw.sub(0, C),
          b.dbias.sub(0, C), b.datt, b.inp, b.lw, b.mean, b.rstd, N, C)),
      new Op("geluForward N=393216", (be, b) -> be.geluForward(b.wide, b.wide2, N * 4 * C)),
      new Op("crossEntropyForwardBackward N=768 Vp=320", (be, b) -> be.crossEntropyForwardBackward(b.losses,
          b.logits, b.ids, 1f / N, N, V, Vp)),
      new Op("globalNorm+adamw P=800000", (be, b) -> {
        be.globalNormSquared(b.scalars, b.grads, 800_000);
        be.adamw(b.params, b.grads, b.m, b.v, b.scalars, 0.9f, 0.99f, 1e-8f, 0.1f,
            800_000);
      }),
  };

  @Test
  void printTimes() {
    System.out.println(String.format(Locale.ROOT, "%-44s %12s %12s %14s", "op", "cpu ms", "tornado ms",
        "first run ms"));
    try (CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors()); TornadoBackend dev = TornadoTesting.backend(true)) {
      Bufs c = new Bufs(cpu, 1);
      Bufs d = new Bufs(dev, 1);
      for (Op op : OPS) {
        double cpuMs = median(cpu, c, () -> op.body().accept(cpu, c), null);
        long before = dev.stats().firstRunNanos.getOrDefault(op.name(), 0L);
        double devMs = median(dev, d, () -> op.body().accept(dev, d), op.name());
        double firstMs = (dev.stats().firstRunNanos.getOrDefault(op.name(), 0L) - before) / 1e6;
        System.out.println(String.format(Locale.ROOT, "%-44s %12.3f %12.3f %14.1f", op.name(), cpuMs, devMs, firstMs));
      }
      System.out.println("tornado: " + dev.stats() + "; plan build " + dev.stats().planBuildNanos / 1e6 + " ms total");
    }
  }

  /** Median ms of REPEAT calls (after WARMUP); on the device each call is a run of the step. */
  private static double median(Backend be, Bufs bufs, Runnable call, String step) {
    float[] sink = new float[1];
    long[] times = new long[REPEAT];
    for (int i = 0; i < WARMUP + REPEAT; i++) {
      long t0 = System.nanoTime();
      if (step != null) be.beginStep(step);
      call.run();
      if (step != null) be.endStep();
      be.read(bufs.f, 0, sink, 0, 1);
      if (i >= WARMUP) times[i - WARMUP] = System.nanoTime() - t0;
    }
    Arrays.sort(times);
    return times[REPEAT / 2] / 1e6;
  }
}
