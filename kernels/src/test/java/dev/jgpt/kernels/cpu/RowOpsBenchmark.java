package dev.jgpt.kernels.cpu;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The row ops that softmax, the loss and attention run on every row, for {@code -prof gc}: its
 * {@code gc.alloc.rate.norm} is the bytes each call allocates (0 when no vector is boxed). Run it
 * once as is (the widest species, 512-bit on AVX-512) and once with
 * {@code -jvmArgsAppend -XX:MaxVectorSize=32} (256-bit). It lives in the kernels' package because
 * RowOps is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RowOpsBenchmark {
  /** Row lengths: a short row with a tail, an attention row, a vocabulary row. */
  @Param({"37", "256", "50304"})
  public int n;

  // x, out (n + 8); read from offset 3 and written at offset 1 (unaligned, as in real tensors)
  private float[] x, out;

  @Setup
  public void setUp() {
    Random rng = new Random(7);
    x = new float[n + 8];
    out = new float[n + 8];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
  }

  @Benchmark
  public float max() {
    return RowOps.max(x, 3, n);
  }

  @Benchmark
  public float expShiftedSum() {
    return RowOps.expShiftedSum(x, 3, 4f, 0.5f, out, 1, n);
  }

  @Benchmark
  public float softmaxInPlace() {
    System.arraycopy(x, 3, out, 1, n);
    RowOps.softmaxInPlace(out, 1, n, 0.125f);
    return out[1];
  }

  @Benchmark
  public float dot() {
    return Dot.dot(x, 3, out, 1, n);
  }
}
