package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once C2 has compiled them, the row kernels allocate nothing: a vector that crosses a call C2
 * did not inline is boxed on the heap (and the Vector API's slow Java fallback runs), which cost
 * the training step megabytes of garbage per step. Each op runs over row lengths 1..70 (no
 * vector, vector body, body and tail) and one vocabulary-sized row, window after window, until
 * a whole window allocates 0 bytes; the test fails if that has not happened after 10 s.
 */
class RowOpsAllocationTest {
  static final long WARM_UP_LIMIT_NANOS = 10_000_000_000L;
  /** Passes over the short lengths per window; each window also runs one long row. */
  static final int PASSES = 20;
  static final int SHORT_MAX = 70, LONG = 50304;

  // inputs (LONG + 16); rows read from offset 3, written at offset 1 (unaligned, as in real tensors)
  static final float[] X = new float[LONG + 16], Y = new float[LONG + 16], OUT = new float[LONG + 16];
  // TIGHT[n] (n): a row that ends where its array ends (the masked loads' and stores' bounds-checked path)
  static final float[][] TIGHT = new float[LONG + 1][];
  static float sink;

  static {
    java.util.Random rng = new java.util.Random(7);
    for (int i = 0; i < X.length; i++) {
      X[i] = (float) rng.nextGaussian();
      Y[i] = (float) rng.nextGaussian();
    }
    for (int n = 1; n <= SHORT_MAX; n++) TIGHT[n] = java.util.Arrays.copyOf(X, n);
    TIGHT[LONG] = java.util.Arrays.copyOf(X, LONG);
  }

  interface RowOp {
    void run(int n);
  }

  static Stream<Arguments> ops() {
    return Stream.of(
        Arguments.of("max", (RowOp) n -> sink += RowOps.max(X, 3, n)),
        Arguments.of("expShiftedSum scaled, stored", (RowOp) n -> sink += RowOps.expShiftedSum(X, 3, 4f, 0.5f, OUT, 1, n)),
        Arguments.of("expShiftedSum stored", (RowOp) n -> sink += RowOps.expShiftedSum(X, 3, 4f, OUT, 1, n)),
        Arguments.of("expShiftedSum", (RowOp) n -> sink += RowOps.expShiftedSum(X, 3, 4f, n)),
        Arguments.of("scale", (RowOp) n -> RowOps.scale(OUT, 1, -1f, n)),
        Arguments.of("sum", (RowOp) n -> sink += RowOps.sum(X, 3, n)),
        Arguments.of("fill", (RowOp) n -> RowOps.fill(OUT, 1, n, 0.25f)),
        Arguments.of("softmaxInPlace", (RowOp) n -> RowOps.softmaxInPlace(OUT, 1, n, 0.125f)),
        Arguments.of("softmaxInPlace at the array end", (RowOp) n -> RowOps.softmaxInPlace(TIGHT[n], 0, n, 0.125f)),
        Arguments.of("dot", (RowOp) n -> sink += Dot.dot(X, 3, Y, 1, n)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void allocatesNothingOnceCompiled(String name, RowOp op) {
    var threads = ManagementFactory.getThreadMXBean();
    assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()
        && t.isThreadAllocatedMemoryEnabled(), "this JVM does not count allocated bytes per thread");
    var mx = (com.sun.management.ThreadMXBean) threads;
    long deadline = System.nanoTime() + WARM_UP_LIMIT_NANOS;
    double bytesPerCall;
    do {
      long before = mx.getCurrentThreadAllocatedBytes();
      int calls = window(op);
      long bytes = mx.getCurrentThreadAllocatedBytes() - before;
      if (bytes == 0) return;
      bytesPerCall = bytes / (double) calls;
    } while (System.nanoTime() < deadline);
    fail(String.format("%s still allocates %.1f bytes per call after %d s of warm-up", name, bytesPerCall,
        WARM_UP_LIMIT_NANOS / 1_000_000_000L));
  }

  // one window: PASSES x lengths 1..SHORT_MAX, then one LONG row; returns the number of calls
  private static int window(RowOp op) {
    for (int pass = 0; pass < PASSES; pass++) {
      for (int n = 1; n <= SHORT_MAX; n++) op.run(n);
    }
    op.run(LONG);
    return PASSES * SHORT_MAX + 1;
  }
}
