package dev.jgpt.kernels.bench;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.cpu.CpuBackend;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matmul forward and backward of the CPU backend at nanoGPT's CPU-recipe shapes and GPT-2-small
 * layer shapes (rows x C -> OC). GFLOP/s = 2*rows*C*OC / time (forward), twice that (backward).
 * Run: see docs/bench.md ("Kernels: jgpt bench kernels").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBenchmark {
  @Param({"768x128x128", "768x128x384", "768x128x512", "1024x768x768", "1024x768x2304", "1024x768x3072"})
  public String shape;

  /** 0 = all cores. */
  @Param({"0"})
  public int threads;

  CpuBackend be;
  FloatBuf inp, weight, bias, out, dout, dinp, dweight, dbias;
  int N, C, OC;

  @Setup(Level.Trial)
  public void setup() {
    String[] p = shape.split("x");
    N = Integer.parseInt(p[0]);
    C = Integer.parseInt(p[1]);
    OC = Integer.parseInt(p[2]);
    be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
    Random rng = new Random(1);
    inp = random(rng, N * C);
    weight = random(rng, OC * C);
    bias = random(rng, OC);
    dout = random(rng, N * OC);
    out = be.allocFloat("out", N * OC);
    dinp = be.allocFloat("dinp", N * C);
    dweight = be.allocFloat("dweight", OC * C);
    dbias = be.allocFloat("dbias", OC);
  }

  private FloatBuf random(Random rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
    FloatBuf b = be.allocFloat("x", n);
    be.write(b, 0, x, 0, n);
    return b;
  }

  @TearDown(Level.Trial)
  public void close() {
    be.close();
  }

  @Benchmark
  public void forward() {
    be.matmulForward(out.all(), inp.all(), weight.all(), bias.all(), N, C, OC);
  }

  @Benchmark
  public void backward() {
    be.matmulBackward(dinp.all(), dweight.all(), dbias.all(), dout.all(), inp.all(), weight.all(), N, C, OC);
  }
}
