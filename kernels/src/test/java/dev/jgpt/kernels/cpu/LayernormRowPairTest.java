package dev.jgpt.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jgpt.kernels.FloatBuf;
import dev.jgpt.kernels.Slice;
import dev.jgpt.kernels.TestSeed;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layer norm takes rows two at a time, forward and backward: a row must get the same bits in a
 * pair as alone, so its output does not depend on N or on where a worker's range starts.
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

  @Test
  void eachRowsGradientInABatchEqualsThatRowsAloneAndThePartialsAddRowByRow() {
    Random rng = new Random(TestSeed.get());
    try (CpuBackend be = new CpuBackend(1)) {
      for (int C : new int[] {5, Vec.L, 77, 128}) {
        int N = 7; // one block of the weight gradient's partial sums: three pairs and a single row
        float[] inp = new float[N * C], dout = new float[N * C], dinp = new float[N * C], weight = new float[C];
        for (int i = 0; i < inp.length; i++) {
          inp[i] = (float) rng.nextGaussian() * 3f + 0.5f;
          dout[i] = (float) rng.nextGaussian();
          dinp[i] = (float) rng.nextGaussian();
        }
        for (int c = 0; c < C; c++) weight[c] = (float) rng.nextGaussian();
        Slice x = upload(be, "inp", inp), w = upload(be, "weight", weight), b = upload(be, "bias", new float[C]);
        Slice mean = upload(be, "mean", new float[N]), rstd = upload(be, "rstd", new float[N]);
        be.layernormForward(upload(be, "out", new float[N * C]), mean, rstd, x, w, b, N, C);
        Slice dy = upload(be, "dout", dout), batchDinp = upload(be, "dinp", dinp);
        Slice dweight = upload(be, "dweight", new float[C]), dbias = upload(be, "dbias", new float[C]);
        be.layernormBackward(batchDinp, dweight, dbias, dy, x, w, mean, rstd, N, C);

        Slice aloneDinp = upload(be, "dinp2", dinp), scratchW = upload(be, "dw2", new float[C]);
        Slice scratchB = upload(be, "db2", new float[C]);
        for (int n = 0; n < N; n++) {
          be.layernormBackward(aloneDinp.sub(n * C, C), scratchW, scratchB, dy.sub(n * C, C), x.sub(n * C, C), w,
              mean.sub(n, 1), rstd.sub(n, 1), 1, C);
        }
        float[] batch = read(be, batchDinp), alone = read(be, aloneDinp);
        for (int i = 0; i < N * C; i++) assertBits(alone[i], batch[i], "C=" + C + " dinp[" + i + "]");

        // the block's partials: row after row, a fused multiply-add per row in the vector lanes, a
        // product and a sum in the scalar tail; then added to the zeroed gradients
        float[] m = read(be, mean), s = read(be, rstd), gotW = read(be, dweight), gotB = read(be, dbias);
        int vectorEnd = C / Vec.L * Vec.L;
        for (int c = 0; c < C; c++) {
          float pw = 0f, pb = 0f;
          for (int n = 0; n < N; n++) {
            float norm = (inp[n * C + c] - m[n]) * s[n], g = dout[n * C + c];
            pw = c < vectorEnd ? Math.fma(norm, g, pw) : pw + norm * g;
            pb += g;
          }
          assertBits(0f + pw, gotW[c], "C=" + C + " dweight[" + c + "]");
          assertBits(0f + pb, gotB[c], "C=" + C + " dbias[" + c + "]");
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
