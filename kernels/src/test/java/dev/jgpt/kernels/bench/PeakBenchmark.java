package dev.jgpt.kernels.bench;

import dev.jgpt.kernels.cpu.PeakFlops;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The FP32 peak the matmul percentages are quoted against: GFLOP/s of the FMA loop on all cores. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PeakBenchmark {
  /** Returns GFLOP/s (JMH prints the return value's time; the GFLOP/s line goes to stdout). */
  @Benchmark
  public double peakGflops() {
    double g = PeakFlops.measure(Runtime.getRuntime().availableProcessors(), 300, 3);
    System.out.printf("peak: %.1f GFLOP/s%n", g);
    return g;
  }
}
