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

/** Attention and layer norm, forward and backward, at B x T x C / NH shapes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBenchmark {
  @Param({"12x64x128x4", "1x1024x768x12"})
  public String shape;

  @Param({"0"})
  public int threads;

  CpuBackend be;
  FloatBuf qkv, att, out, dout, dqkv, lnIn, lnW, lnB, mean, rstd, dln, dlnW, dlnB;
  int B, T, C, NH;

  @Setup(Level.Trial)
  public void setup() {
    String[] p = shape.split("x");
    B = Integer.parseInt(p[0]);
    T = Integer.parseInt(p[1]);
    C = Integer.parseInt(p[2]);
    NH = Integer.parseInt(p[3]);
    be = threads == 0 ? new CpuBackend() : new CpuBackend(threads);
    Random rng = new Random(1);
    int N = B * T;
    qkv = random(rng, N * 3 * C);
    dout = random(rng, N * C);
    lnIn = random(rng, N * C);
    lnW = random(rng, C);
    lnB = random(rng, C);
    att = be.allocFloat("att", B * NH * T * T);
    out = be.allocFloat("out", N * C);
    dqkv = be.allocFloat("dqkv", N * 3 * C);
    mean = be.allocFloat("mean", N);
    rstd = be.allocFloat("rstd", N);
    dln = be.allocFloat("dln", N * C);
    dlnW = be.allocFloat("dlnW", C);
    dlnB = be.allocFloat("dlnB", C);
    be.attentionForward(out.all(), att.all(), qkv.all(), B, T, C, NH);
    be.layernormForward(out.all(), mean.all(), rstd.all(), lnIn.all(), lnW.all(), lnB.all(), N, C);
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
  public void attentionForward() {
    be.attentionForward(out.all(), att.all(), qkv.all(), B, T, C, NH);
  }

  @Benchmark
  public void attentionBackward() {
    be.attentionBackward(dqkv.all(), dout.all(), qkv.all(), att.all(), B, T, C, NH);
  }

  @Benchmark
  public void layernormForward() {
    be.layernormForward(out.all(), mean.all(), rstd.all(), lnIn.all(), lnW.all(), lnB.all(), B * T, C);
  }

  @Benchmark
  public void layernormBackward() {
    be.layernormBackward(dln.all(), dlnW.all(), dlnB.all(), dout.all(), lnIn.all(), lnW.all(), mean.all(),
        rstd.all(), B * T, C);
  }
}
