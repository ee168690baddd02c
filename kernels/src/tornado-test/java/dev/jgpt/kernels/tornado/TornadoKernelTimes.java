package dev.jgpt.kernels.tornado;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.IntBuf;
import dev.jgpt.kernels.Slice;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Kernel times at a GPT-2-small-like shape (B*T = 256 rows, C = 768, NH = 12, T = 256,
 * V = 50,257), with the loop kernels (one work item per row or column) and with the work-group
 * kernels (row groups, blocked GEMM, flash attention), on the test device. Not a test: run it with
 * {@code mvn -pl kernels test -Dtest=TornadoKernelTimes -Djgpt.tornado.times=true} (TORNADOVM_HOME
 * set). Each op is its own captured step compiled on its first run; a timed call is one replay
 * plus a one-float read (so the device work is finished); median of REPEAT calls after one
 * warm-up. On PoCL (a CPU) the numbers show parallel structure and launch overhead, not GPU speed.
 */
@EnabledIfSystemProperty(named = "jgpt.tornado.times", matches = "true")
class TornadoKernelTimes {
  static final int B = 1, T = 256, N = B * T, C = 768, NH = 12, OC = 4 * C, V = 50_257, Vp = 50_304;
  static final int REPEAT = Integer.getInteger("jgpt.tornado.times.repeat", 5);
  /** Comma-separated op names to run (default all): the slow ones can be left out. */
  static final String ONLY = System.getProperty("jgpt.tornado.times.only", "");

  /**
   * One backend's tensors for every op below: one buffer per kind, as the model allocates them
   * (weights as parameters, their gradients as gradients, the rest as activations: the TornadoVM
   * backend needs a kernel's role groups in distinct kinds).
   */
  static final class Bufs {
    final FloatBuf f; // the activations: what a timed call reads one float of
    final IntBuf targets;
    final Map<String, Slice> s = new LinkedHashMap<>();

    Bufs(Backend be) {
      Map<String, Integer> sizes = new LinkedHashMap<>();
      sizes.put("inp", N * C);
      sizes.put("out", N * C);
      sizes.put("dout", N * C);
      sizes.put("dinp", N * C);
      sizes.put("w", C);
      sizes.put("b", C);
      sizes.put("dw", C);
      sizes.put("db", C);
      sizes.put("mean", N);
      sizes.put("rstd", N);
      sizes.put("fcw", OC * C);
      sizes.put("fcb", OC);
      sizes.put("dfcw", OC * C);
      sizes.put("dfcb", OC);
      sizes.put("fc", N * OC);
      sizes.put("dfc", N * OC);
      sizes.put("qkv", N * 3 * C);
      sizes.put("dqkv", N * 3 * C);
      sizes.put("att", B * NH * T * T);
      sizes.put("logits", N * Vp);
      sizes.put("probs", N * Vp);
      sizes.put("losses", N);
      Random rng = new Random(1);
      FloatBuf acts = null;
      for (BufferKind kind : List.of(BufferKind.ACTIVATIONS, BufferKind.PARAMETERS, BufferKind.GRADIENTS)) {
        int total = 0;
        for (var e : sizes.entrySet()) total += kindOf(e.getKey()) == kind ? e.getValue() : 0;
        FloatBuf buf = be.allocFloat("times_" + kind, total, kind);
        if (kind == BufferKind.ACTIVATIONS) acts = buf;
        float[] x = new float[total];
        for (int i = 0; i < total; i++) x[i] = 0.1f * (float) rng.nextGaussian();
        int o = 0;
        for (var e : sizes.entrySet()) {
          if (kindOf(e.getKey()) != kind) continue;
          s.put(e.getKey(), buf.slice(o, e.getValue()));
          if (e.getKey().equals("rstd")) Arrays.fill(x, o, o + N, 1f); // unit-variance rows
          o += e.getValue();
        }
        be.write(buf, 0, x, 0, total);
      }
      f = acts;
      targets = be.allocInt("targets", N);
      int[] t = new int[N];
      for (int i = 0; i < N; i++) t[i] = rng.nextInt(V);
      be.write(targets, 0, t, 0, N);
    }

    private static BufferKind kindOf(String name) {
      return switch (name) {
        case "w", "b", "fcw", "fcb" -> BufferKind.PARAMETERS;
        case "dw", "db", "dfcw", "dfcb" -> BufferKind.GRADIENTS;
        default -> BufferKind.ACTIVATIONS;
      };
    }

    Slice s(String name) {
      return s.get(name);
    }
  }

  record Op(String name, String shape, BiConsumer<Backend, Bufs> body) {}

  static final Op[] OPS = {
      new Op("layernormForward", "N=256 C=768", (be, b) -> be.layernormForward(b.s("out"), b.s("mean"), b.s("rstd"),
          b.s("inp"), b.s("w"), b.s("b"), N, C)),
      new Op("layernormBackward", "N=256 C=768", (be, b) -> be.layernormBackward(b.s("dinp"), b.s("dw"), b.s("db"),
          b.s("dout"), b.s("inp"), b.s("w"), b.s("mean"), b.s("rstd"), N, C)),
      new Op("softmaxForward", "N=256 V=50257", (be, b) -> be.softmaxForward(b.s("probs"), b.s("logits"), N, V, Vp)),
      new Op("crossEntropyForwardBackward", "N=256 V=50257", (be, b) -> be.crossEntropyForwardBackward(b.s("losses"),
          b.s("logits"), b.targets, 1f / N, N, V, Vp)),
      new Op("matmulForward", "N=256 C=768 OC=3072", (be, b) -> be.matmulForward(b.s("fc"), b.s("inp"), b.s("fcw"),
          b.s("fcb"), N, C, OC)),
      new Op("matmulBackward", "N=256 C=768 OC=3072", (be, b) -> be.matmulBackward(b.s("dinp"), b.s("dfcw"),
          b.s("dfcb"), b.s("dfc"), b.s("inp"), b.s("fcw"), N, C, OC)),
      new Op("matmulForward.decode", "N=1 C=768 OC=3072", (be, b) -> be.matmulForward(b.s("fc").sub(0, OC),
          b.s("inp").sub(0, C), b.s("fcw"), b.s("fcb"), 1, C, OC)),
      new Op("attentionForward", "B=1 T=256 C=768 NH=12", (be, b) -> be.attentionForward(b.s("out"), b.s("att"),
          b.s("qkv"), B, T, C, NH)),
      new Op("attentionBackward", "B=1 T=256 C=768 NH=12", (be, b) -> be.attentionBackward(b.s("dqkv"), b.s("dout"),
          b.s("qkv"), b.s("att"), B, T, C, NH)),
  };

  @Test
  void printTimes() {
    Map<String, double[]> ms = new LinkedHashMap<>();
    for (int variant = 0; variant < 2; variant++) {
      boolean workGroups = variant == 1;
      try (TornadoBackend dev = TornadoTesting.backend(true, false, workGroups)) {
        Bufs bufs = new Bufs(dev);
        for (Op op : OPS) {
          if (!ONLY.isEmpty() && !Arrays.asList(ONLY.split(",")).contains(op.name())) continue;
          ms.computeIfAbsent(op.name(), k -> new double[] {Double.NaN, Double.NaN})[variant] =
              median(dev, bufs, op.name() + (workGroups ? ".groups" : ".loops"), () -> op.body().accept(dev, bufs));
        }
      }
    }
    System.out.println(String.format(Locale.ROOT, "%-30s %-24s %12s %16s", "op", "shape", "loops ms",
        "work groups ms"));
    for (Op op : OPS) {
      double[] t = ms.get(op.name());
      if (t == null) continue;
      System.out.println(String.format(Locale.ROOT, "%-30s %-24s %12.3f %16.3f", op.name(), op.shape(), t[0], t[1]));
    }
  }

  /** Median ms of REPEAT replays of the step (after its compiling first run and one warm-up). */
  private static double median(Backend be, Bufs bufs, String step, Runnable call) {
    float[] sink = new float[1];
    long[] times = new long[REPEAT];
    for (int i = 0; i < 2 + REPEAT; i++) {
      long t0 = System.nanoTime();
      be.beginStep(step);
      call.run();
      be.endStep();
      be.read(bufs.f, 0, sink, 0, 1);
      if (i >= 2) times[i - 2] = System.nanoTime() - t0;
    }
    Arrays.sort(times);
    return times[REPEAT / 2] / 1e6;
  }
}
