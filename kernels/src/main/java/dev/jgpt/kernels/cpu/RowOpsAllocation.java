package dev.jgpt.kernels.cpu;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Measures the heap bytes each row op allocates per call once the JIT has had its chance: a
 * vector passed to a call that C2 did not inline is boxed on the heap (96 bytes for a 512-bit
 * vector), which is both garbage and the slow path. {@link #measure} is a benchmark: whether
 * and when C2 inlines depends on timing, so {@code jgpt bench kernels} reports the number and
 * nothing asserts it; {@link #measureAfterWindows} counts calls instead, for a test in a JVM
 * that compiles in the foreground. Each op runs over row lengths 1..70 (no vector, vector body,
 * body and tail) and one vocabulary-sized row, window after window, until a whole window
 * allocates nothing or the warm-up time is spent; the last window's bytes per call are reported.
 */
public final class RowOpsAllocation {
  private RowOpsAllocation() {}

  /** One op's result: bytes per call in its last window (0 once compiled without boxing). */
  public record Result(String op, double bytesPerCall, long warmUpMillis) {}

  private static final int PASSES = 20, SHORT_MAX = 70, LONG = 50304;

  private interface RowOp {
    void run(int n);
  }

  // inputs (LONG + 16); rows are read from offset 3 and written at offset 1 (unaligned, as in real tensors)
  private static final float[] X = new float[LONG + 16], Y = new float[LONG + 16], OUT = new float[LONG + 16];
  // TIGHT[n] (n): a row that ends where its array ends (the masked loads' bounds-checked path)
  private static final float[][] TIGHT = new float[LONG + 1][];
  private static float sink;

  static {
    Random rng = new Random(7);
    for (int i = 0; i < X.length; i++) {
      X[i] = (float) rng.nextGaussian();
      Y[i] = (float) rng.nextGaussian();
    }
    for (int n = 1; n <= SHORT_MAX; n++) TIGHT[n] = java.util.Arrays.copyOf(X, n);
    TIGHT[LONG] = java.util.Arrays.copyOf(X, LONG);
  }

  /** The vector width the row ops run at in this JVM, e.g. "512-bit (16 floats)". */
  public static String species() {
    return Vec.S.vectorBitSize() + "-bit (" + Vec.L + " floats)";
  }

  /**
   * Runs every row op until a window allocates nothing or {@code warmUpMillis} pass; returns
   * one result per op, or an empty list where this JVM does not count bytes per thread.
   */
  public static List<Result> measure(long warmUpMillis) {
    return measure(mx -> {
      List<Result> results = new ArrayList<>();
      for (NamedOp op : OPS) results.add(measureFor(mx, op, warmUpMillis));
      return results;
    });
  }

  /**
   * Runs every row op for {@code warmUpWindows} windows, then returns the bytes per call of one
   * window more. Counted in calls, not time: in a JVM that compiles in the foreground
   * ({@code -Xbatch}) the result is the same in every run, so a test can assert it.
   */
  public static List<Result> measureAfterWindows(int warmUpWindows) {
    return measure(mx -> {
      List<Result> results = new ArrayList<>();
      for (NamedOp op : OPS) {
        long start = System.nanoTime();
        for (int w = 0; w < warmUpWindows; w++) window(op.op());
        results.add(new Result(op.name(), bytesPerCall(mx, op), (System.nanoTime() - start) / 1_000_000L));
      }
      return results;
    });
  }

  // the results, or an empty list where this JVM does not count bytes per thread
  private static List<Result> measure(java.util.function.Function<com.sun.management.ThreadMXBean, List<Result>> how) {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
        || !mx.isThreadAllocatedMemorySupported() || !mx.isThreadAllocatedMemoryEnabled()) {
      return List.of();
    }
    return how.apply(mx);
  }

  private record NamedOp(String name, RowOp op) {}

  private static final List<NamedOp> OPS = List.of(
      new NamedOp("max", n -> sink += RowOps.max(X, 3, n)),
      new NamedOp("expShiftedSum (scaled, stored)", n -> sink += RowOps.expShiftedSum(X, 3, 4f, 0.5f, OUT, 1, n)),
      new NamedOp("expShiftedSum (stored)", n -> sink += RowOps.expShiftedSum(X, 3, 4f, OUT, 1, n)),
      new NamedOp("expShiftedSum", n -> sink += RowOps.expShiftedSum(X, 3, 4f, n)),
      new NamedOp("scale", n -> RowOps.scale(OUT, 1, -1f, n)),
      new NamedOp("sum", n -> sink += RowOps.sum(X, 3, n)),
      new NamedOp("softmaxInPlace", n -> RowOps.softmaxInPlace(OUT, 1, n, 0.125f)),
      new NamedOp("softmaxInPlace (row at the array end)", n -> RowOps.softmaxInPlace(TIGHT[n], 0, n, 0.125f)),
      new NamedOp("dot", n -> sink += Dot.dot(X, 3, Y, 1, n)));

  // windows of op until one allocates nothing or warmUpMillis pass; the last window's bytes per call
  private static Result measureFor(com.sun.management.ThreadMXBean mx, NamedOp op, long warmUpMillis) {
    long start = System.nanoTime(), deadline = start + warmUpMillis * 1_000_000L;
    double bytesPerCall;
    do {
      bytesPerCall = bytesPerCall(mx, op);
    } while (bytesPerCall > 0 && System.nanoTime() < deadline);
    return new Result(op.name(), bytesPerCall, (System.nanoTime() - start) / 1_000_000L);
  }

  // one window of op: heap bytes per call
  private static double bytesPerCall(com.sun.management.ThreadMXBean mx, NamedOp op) {
    long before = mx.getCurrentThreadAllocatedBytes();
    int calls = window(op.op());
    return (mx.getCurrentThreadAllocatedBytes() - before) / (double) calls;
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
