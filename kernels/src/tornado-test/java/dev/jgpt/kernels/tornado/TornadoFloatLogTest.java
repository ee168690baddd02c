package dev.jgpt.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * FloatLog.log is the CPU backend's (float) StrictMath.log, bit for bit, on the host and on the
 * device. Checked once over every positive finite float on the host (2,139,095,039 of them: none
 * differ); here every float in [1, 2) (every mantissa), one float in 127 over the whole positive
 * range, and the ties that took the rounding's care; on the device one float in 113 of the sums a
 * row's softmax can have, [1, 2^18), and the ties.
 */
class TornadoFloatLogTest {
  // a float sum on a float midpoint: the three floats decide (1.6515149, 3.2381798E7); the true log
  // within half a double ulp of a midpoint: the CPU's double is the midpoint and rounds to even (9.472636)
  static final float[] TIES = {1.6515149f, 3.2381798E7f, 9.472636f};

  @Test
  void everyMantissaAndTheTiesOnTheHost() {
    for (float s : TIES) assertSameBits(s, FloatLog.log(s));
    for (int bits = Float.floatToRawIntBits(1f); bits < Float.floatToRawIntBits(2f); bits++) {
      float s = Float.intBitsToFloat(bits);
      assertSameBits(s, FloatLog.log(s));
    }
  }

  @Test
  void oneFloatIn127OverThePositiveRangeOnTheHost() {
    for (int bits = 1; bits <= Float.floatToRawIntBits(Float.MAX_VALUE); bits += 127) {
      float s = Float.intBitsToFloat(bits);
      assertSameBits(s, FloatLog.log(s));
    }
    assertSameBits(Float.MAX_VALUE, FloatLog.log(Float.MAX_VALUE));
    assertSameBits(Float.MIN_VALUE, FloatLog.log(Float.MIN_VALUE));
  }

  @Test
  void zeroNegativeInfinityAndNaNAsTheDoubleLog() {
    for (float s : new float[] {0f, -0f, -1f, Float.POSITIVE_INFINITY, Float.NaN}) {
      assertSameBits(s, FloatLog.log(s));
    }
  }

  // The kernel, in a class of its own: TornadoVM types in a test class's method signatures fail
  // JUnit's discovery where TornadoVM is not on the class path (the 256-bit surefire execution).
  static final class Kernel {
    // out (n) = FloatLog.log(in (n)), one work item each
    public static void logs(FloatArray in, FloatArray out) {
      for (@Parallel int i = 0; i < in.getSize(); i++) out.set(i, FloatLog.log(in.get(i)));
    }
  }

  @Test
  void sameBitsOnTheDevice() throws Exception {
    int step = 113;
    int first = Float.floatToRawIntBits(1f), last = Float.floatToRawIntBits(0x1p18f);
    int n = TIES.length + (last - first) / step;
    FloatArray in = new FloatArray(n);
    FloatArray out = new FloatArray(n);
    for (int i = 0; i < TIES.length; i++) in.set(i, TIES[i]);
    for (int i = TIES.length; i < n; i++) in.set(i, Float.intBitsToFloat(first + (i - TIES.length) * step));
    TaskGraph graph = new TaskGraph("floatlog")
        .transferToDevice(DataTransferMode.FIRST_EXECUTION, in)
        .task("t0", Kernel::logs, in, out)
        .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
    try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
      // strict on every device: relaxed math (GPUs' default) gives up the exactness, see FloatLog
      plan.withDevice(TornadoTesting.device().device())
          .withCompilerFlags(TornadoVMBackendType.OPENCL, DeviceMath.STRICT_FLAGS)
          .execute();
    }
    for (int i = 0; i < n; i++) assertSameBits(in.get(i), out.get(i));
  }

  private static void assertSameBits(float s, float log) {
    assertEquals(Float.floatToRawIntBits((float) StrictMath.log(s)), Float.floatToRawIntBits(log),
        () -> "log(" + s + "): the CPU's " + (float) StrictMath.log(s) + ", FloatLog's " + log);
  }
}
