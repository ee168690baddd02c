package dev.jgpt.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jgpt.kernels.Backend;
import dev.jgpt.kernels.BackendProvider;
import dev.jgpt.kernels.Backends;
import dev.jgpt.kernels.CounterRng;
import java.util.List;

/** Shared bits of the model tests: which backends can run here, tiny configs, random tokens. */
final class GptTestSupport {
  private GptTestSupport() {}

  /** The CPU-side backends present and runnable here: "reference" always, "cpu" once it exists. */
  static List<String> cpuBackends() {
    return Backends.providers().stream()
        .filter(p -> (p.name().equals("reference") || p.name().equals("cpu")) && p.unavailableReason() == null)
        .map(BackendProvider::name)
        .toList();
  }

  static Backend open(String name) {
    return Backends.open(name, 2);
  }

  /** n token ids in [0, V) drawn from (seed, stream). */
  static int[] randomTokens(long seed, int stream, int n, int V) {
    long key = CounterRng.key(seed, 0, stream);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = CounterRng.nextInt(key, i, V);
    return ids;
  }

  /** The part of {@code flat} that holds tensor {@code t}. */
  static float[] tensor(float[] flat, TensorSpec t) {
    return java.util.Arrays.copyOfRange(flat, t.offset(), t.end());
  }

  /** max |a - b| / max |b|: the error relative to the tensor's scale. */
  static double relativeError(float[] actual, float[] expected) {
    double maxDiff = 0, maxRef = 0;
    for (int i = 0; i < expected.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((double) actual[i] - expected[i]));
      maxRef = Math.max(maxRef, Math.abs((double) expected[i]));
    }
    return maxRef == 0 ? maxDiff : maxDiff / maxRef;
  }

  /**
   * got within bf16's rounding of the F32 logits (2% of their largest magnitude: bf16 keeps 8
   * significant bits) yet not equal to them, which would mean the bf16 data {@code what} names was
   * never read.
   */
  static void assertWithinBf16Rounding(float[] got, float[] f32, String what) {
    float maxDiff = 0, maxF32 = 0;
    for (int i = 0; i < f32.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - f32[i]));
      maxF32 = Math.max(maxF32, Math.abs(f32[i]));
    }
    assertTrue(maxDiff > 0, what + " must change the last bits (else it is not read)");
    assertTrue(maxDiff < 0.02f * maxF32, what + ": logits differ from F32 by " + maxDiff + " (logits up to " + maxF32 + ")");
  }
}
