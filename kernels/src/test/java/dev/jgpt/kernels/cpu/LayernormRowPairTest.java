package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.TestSeed;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layer norm forward pass takes rows two at a time: a row must get the same bits in a pair
 * as alone, so its output does not depend on N or on where a worker's range starts.
 */
class LayernormRowPairTest {

  @Test
  void eachRowOfABatchEqualsThatRowNormalizedAlone() {
    Random rng = new Random(TestSeed.get());
    try (CpuBackend be = new CpuBackend(1)) {
      for (int C : new int[] {5, Vec.L, 77, 128, 264}) {
        int N = 7; // three pairs and a single row
        float[] inp = new float[N * C], weight = new float[C], bias = new float[C];
        for (int i = 0; i < inp.length; i++) inp[i] = (float) rng.nextGaussian() * 3f + 0.5f;
        for (int c = 0; c < C; c++) {
          weight[c] = (float) rng.nextGaussian();
          bias[c] = (float) rng.nextGaussian();
        }
        Slice x = upload(be, "inp", inp), w = upload(be, "weight", weight), b = upload(be, "bias", bias);
        Slice out = upload(be, "out", new float[N * C]), mean = upload(be, "mean", new float[N]);
        Slice rstd = upload(be, "rstd", new float[N]);
        be.layernormForward(out, mean, rstd, x, w, b, N, C);
        float[] batch = read(be, out), batchMean = read(be, mean), batchRstd = read(be, rstd);
        for (int n = 0; n < N; n++) {
          be.layernormForward(out.sub(n * C, C), mean.sub(n, 1), rstd.sub(n, 1), x.sub(n * C, C), w, b, 1, C);
        }
        float[] alone = read(be, out), aloneMean = read(be, mean), aloneRstd = read(be, rstd);
        for (int i = 0; i < N * C; i++) assertBits(alone[i], batch[i], "C=" + C + " out[" + i + "]");
        for (int n = 0; n < N; n++) {
          assertBits(aloneMean[n], batchMean[n], "C=" + C + " mean[" + n + "]");
          assertBits(aloneRstd[n], batchRstd[n], "C=" + C + " rstd[" + n + "]");
        }
      }
    }
  }

  private static void assertBits(float expected, float actual, String what) {
    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
  }

  private static Slice upload(CpuBackend be, String name, float[] values) {
    FloatBuf buf = be.allocFloat(name, values.length);
    be.write(buf, 0, values, 0, values.length);
    return new Slice(buf, 0, values.length);
  }

  private static float[] read(CpuBackend be, Slice s) {
    float[] out = new float[s.length()];
    be.read(s.buf(), s.offset(), out, 0, s.length());
    return out;
  }
}
