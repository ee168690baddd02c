package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The peak the matmul percentages are quoted against must be physically possible: a clock that
 * misses part of the run (the caller timing threads it may not get a core beside) once reported
 * hundreds of TFLOP/s on two cores.
 */
class PeakFlopsTest {

  @Test
  void thePeakIsPositiveAndBelowWhatAnyCpuCouldDo() {
    int threads = 3; // more threads than this machine's cores: the case the caller's clock got wrong
    double gflops = PeakFlops.measure(threads, 30, 3);
    // Generous ceiling: 4 vector FMAs per cycle (2 flops per lane) at 6 GHz on every thread.
    double ceiling = threads * 4.0 * Vec.L * 2 * 6.0;
    assertTrue(gflops > 0 && gflops < ceiling, gflops + " GFLOP/s, ceiling " + ceiling);
  }
}
