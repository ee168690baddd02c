package dev.jgpt.cli;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BufferKind;
import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.cpu.PeakFlops;
import dev.jgpt.kernels.cpu.RowOpsAllocation;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jgpt bench kernels}: this machine's FP32 peak (a Vector API FMA loop on all threads),
 * then GFLOP/s and % of that peak for matmul forward and backward at the shapes of nanoGPT's
 * CPU recipe and of a GPT-2-small layer, attention and layer-norm times (medians), and the heap
 * bytes the CPU row ops allocate per call once warmed up (0 unless the JIT boxes a vector).
 */
@Command(
    name = "kernels",
    mixinStandardHelpOptions = true,
    defaultValueProvider = BackendOptions.CpuByDefault.class, // the kernels of the CPU unless --backend says otherwise
    sortOptions = false,
    description = {"Measure the kernels: matmul GFLOP/s and %% of this machine's FP32 peak,",
        "attention and layer-norm times (medians over --repeat calls), and the bytes",
        "the CPU row ops allocate per call. On an AVX-512 machine, run it with",
        "JGPT_JAVA_OPTS=-XX:UseAVX=2 to measure what an AVX2 CPU runs (256-bit vectors, 16 registers)."},
    footer = {"", "Examples:", "  jgpt bench kernels", "  jgpt bench kernels --threads 1 --repeat 50"})
final class BenchKernelsCommand implements Callable<Integer> {


  /** A matmul shape: inp (rows,C) @ weight (OC,C)^T. */
  record MatmulShape(String model, int rows, int C, int OC) {}

  /** An attention shape (B,T,C,NH); its layer norm runs over (B*T, C). */
  record AttentionShape(String model, int B, int T, int C, int NH) {}

  static final List<MatmulShape> MATMULS = List.of(
      new MatmulShape("nanoGPT-CPU", 768, 128, 128),
      new MatmulShape("nanoGPT-CPU", 768, 128, 384),
      new MatmulShape("nanoGPT-CPU", 768, 128, 512),
      new MatmulShape("GPT-2 small", 1024, 768, 768),
      new MatmulShape("GPT-2 small", 1024, 768, 2304),
      new MatmulShape("GPT-2 small", 1024, 768, 3072));

  static final List<AttentionShape> ATTENTIONS = List.of(
      new AttentionShape("nanoGPT-CPU", 12, 64, 128, 4),
      new AttentionShape("GPT-2 small", 1, 1024, 768, 12));

  @Spec CommandSpec spec;

  @Mixin BackendOptions backendOptions;


  @Option(names = "--repeat", paramLabel = "R", defaultValue = "30",
      description = "Timed calls per kernel; medians are reported (default ${DEFAULT-VALUE}).")
  int repeat;


  @Option(names = "--small", description = "Only the nanoGPT-CPU shapes (quick).")
  boolean small;

  @Override
  public Integer call() {
    if (repeat < 1) throw new ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
    int threads = backendOptions.threads();
    int peakThreads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    PrintStream out = System.out;
    try (Backend be = backendOptions.open(threads)) {
      out.println("backend: " + be.description());
      double peak = PeakFlops.measure(peakThreads, 300, 5);
      out.printf(Locale.ROOT, "FP32 peak (Vector API FMA loop, %d %s): %.1f GFLOP/s%n%n", peakThreads,
          peakThreads == 1 ? "thread" : "threads", peak);
      BenchKernelsTimer timer = new BenchKernelsTimer(be, repeat);
      out.printf(Locale.ROOT, "%-12s %-18s %9s %9s %7s %9s %9s %7s%n", "matmul", "rows x C -> OC", "fwd ms",
          "GFLOP/s", "% peak", "bwd ms", "GFLOP/s", "% peak");
      List<MatmulCalls> matmuls = MATMULS.stream().filter(s -> !small || s.model().startsWith("nanoGPT"))
          .map(s -> MatmulCalls.of(timer, be, s)).toList();
      // Every shape warmed before any is timed: the first one timed used to carry the JIT's
      // compilation of the matmul code (1.6 ms for a 0.3 ms product).
      for (MatmulCalls m : matmuls) {
        timer.warmUp(m.forward(), m.out());
        timer.warmUp(m.backward(), m.dweight());
      }
      for (MatmulCalls m : matmuls) matmul(out, timer, m, peak);
      out.println();
      out.printf(Locale.ROOT, "%-12s %-22s %11s %11s %13s %13s%n", "attention", "B x T x C / NH", "attn fwd ms",
          "attn bwd ms", "layernorm fwd", "layernorm bwd");
      for (AttentionShape s : ATTENTIONS) {
        if (small && !s.model().startsWith("nanoGPT")) continue;
        attentionAndLayernorm(out, timer, be, s);
      }
    }
    rowOpsAllocation(out);
    return 0;
  }

  /** Bytes per call of each row op after up to 2 s of warm-up; runs on this thread. */
  private static void rowOpsAllocation(PrintStream out) {
    List<RowOpsAllocation.Result> results = RowOpsAllocation.measure(2000);
    out.println();
    if (results.isEmpty()) {
      out.println("row ops allocation: not measured (this JVM does not count allocated bytes per thread)");
      return;
    }
    out.printf(Locale.ROOT, "%-40s %12s %10s%n", "row op, " + RowOpsAllocation.species(), "bytes/call",
        "warm-up ms");
    for (RowOpsAllocation.Result r : results) {
      out.printf(Locale.ROOT, "%-40s %12.1f %10d%n", r.op(), r.bytesPerCall(), r.warmUpMillis());
    }
  }

  /** One shape's matmul forward and backward over their own buffers, and the buffers each is synced on. */
  private record MatmulCalls(MatmulShape shape, Runnable forward, FloatBuf out, Runnable backward, FloatBuf dweight) {
    static MatmulCalls of(BenchKernelsTimer timer, Backend be, MatmulShape s) {
      int N = s.rows(), C = s.C(), OC = s.OC();
      // weights and their gradients in their own kinds, as the model allocates them (a device backend
      // keeps each kind apart)
      FloatBuf inp = timer.random("inp", N * C, 1f);
      FloatBuf weight = timer.random("weight", OC * C, 0.02f, BufferKind.PARAMETERS);
      FloatBuf bias = timer.random("bias", OC, 0.02f, BufferKind.PARAMETERS), outBuf = be.allocFloat("out", N * OC);
      FloatBuf dout = timer.random("dout", N * OC, 1f), dinp = be.allocFloat("dinp", N * C);
      FloatBuf dweight = be.allocFloat("dweight", OC * C, BufferKind.GRADIENTS);
      FloatBuf dbias = be.allocFloat("dbias", OC, BufferKind.GRADIENTS);
      return new MatmulCalls(s, () -> be.matmulForward(outBuf.all(), inp.all(), weight.all(), bias.all(), N, C, OC),
          outBuf, () -> be.matmulBackward(dinp.all(), dweight.all(), dbias.all(), dout.all(), inp.all(), weight.all(),
              N, C, OC), dweight);
    }
  }

  private static void matmul(PrintStream out, BenchKernelsTimer timer, MatmulCalls m, double peak) {
    MatmulShape s = m.shape();
    double fwd = timer.medianNanos(m.forward(), m.out());
    double bwd = timer.medianNanos(m.backward(), m.dweight());
    double flops = 2.0 * s.rows() * s.C() * s.OC();
    double fwdGflops = flops / fwd, bwdGflops = 2 * flops / bwd;
    out.printf(Locale.ROOT, "%-12s %-18s %9.3f %9.1f %6.1f%% %9.3f %9.1f %6.1f%%%n", s.model(),
        s.rows() + " x " + s.C() + " -> " + s.OC(), fwd / 1e6, fwdGflops, 100 * fwdGflops / peak, bwd / 1e6, bwdGflops,
        100 * bwdGflops / peak);
  }

  private static void attentionAndLayernorm(PrintStream out, BenchKernelsTimer timer, Backend be, AttentionShape s) {
    int B = s.B(), T = s.T(), C = s.C(), NH = s.NH(), N = B * T;
    FloatBuf qkv = timer.random("qkv", N * 3 * C, 1f), outBuf = be.allocFloat("out", N * C);
    FloatBuf att = be.allocFloat("att", B * NH * T * T), dout = timer.random("dout", N * C, 1f);
    FloatBuf dqkv = be.allocFloat("dqkv", N * 3 * C);
    double fwd = timer.medianNanos(() -> be.attentionForward(outBuf.all(), att.all(), qkv.all(), B, T, C, NH), outBuf);
    double bwd = timer.medianNanos(
        () -> be.attentionBackward(dqkv.all(), dout.all(), qkv.all(), att.all(), B, T, C, NH), dqkv);
    FloatBuf w = timer.random("lnw", C, 1f, BufferKind.PARAMETERS);
    FloatBuf b = timer.random("lnb", C, 0.1f, BufferKind.PARAMETERS);
    FloatBuf mean = be.allocFloat("mean", N), rstd = be.allocFloat("rstd", N), dinp = be.allocFloat("dinp", N * C);
    FloatBuf dw = be.allocFloat("dw", C, BufferKind.GRADIENTS), db = be.allocFloat("db", C, BufferKind.GRADIENTS);
    Slice lnInput = qkv.slice(0, N * C); // any (N,C) of random values
    double lnFwd = timer.medianNanos(() -> be.layernormForward(outBuf.all(), mean.all(), rstd.all(), lnInput,
        w.all(), b.all(), N, C), outBuf);
    double lnBwd = timer.medianNanos(() -> be.layernormBackward(dinp.all(), dw.all(), db.all(), dout.all(),
        lnInput, w.all(), mean.all(), rstd.all(), N, C), dinp);
    out.printf(Locale.ROOT, "%-12s %-22s %11.3f %11.3f %10.3f ms %10.3f ms%n", s.model(),
        B + " x " + T + " x " + C + " / " + NH, fwd / 1e6, bwd / 1e6, lnFwd / 1e6, lnBwd / 1e6);
  }
}
